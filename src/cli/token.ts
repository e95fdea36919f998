import { isValidOrgNumber } from '../common/identifiers/org-number.js';
import { IssuerRecordService } from '../tokens/issuer-record.service.js';
import { TokenSignerService } from '../tokens/token-signer.service.js';
import { fail, handleHelp, loadCliConfig, openCliContext, parseArgs } from './cli-context.js';
import { chooseIssuer, normaliseIssuer } from './token-issuer.js';

/**
 * `npm run token -- --org 991825827 --scope "consentgw:admin idporten:scopes.write" [--ttl 3600]`
 * Prints one access token of the built-in issuer on stdout and nothing else (DESIGN §1); which
 * issuer it signed as goes to stderr.
 */
const USAGE = `
usage: npm run -s token -- --org <orgno> --scope "<scopes>" [options]

Prints an access token of the built-in issuer on stdout (nothing else), signed with the
service's current key. The issuer it signs as is said on stderr.

  --org <orgno>        the consumer organisation (9 digits, valid check digit)      required
  --scope "<scopes>"   space-separated scopes, e.g. "consentgw:admin"                required
  --ttl <seconds>      lifetime, 1..MAX_TOKEN_LIFETIME_SECONDS (default: that maximum)
  --supplier <orgno>   a supplier acting for the consumer
  --issuer <url>       sign as this issuer (the server's PUBLIC_URL)
  --server <url>       ask this running server for its issuer
  -h, --help           this text

Issuer, first that applies: --issuer; the server running on DATA_DIR; --server; the issuer
the server started last on this database recorded (PostgreSQL or embedded); PUBLIC_URL (or
http://localhost:PORT) of this environment. Reads the same environment as the server
(DATABASE_URL or DATA_DIR, KEY_ENCRYPTION_SECRET); with a server running on DATA_DIR it uses
that server's database.
`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  handleHelp(argv, USAGE);
  const args = parseArgs(argv);
  if (!args.org || !isValidOrgNumber(args.org))
    fail(`--org must be a valid 9-digit organisation number\n${USAGE}`);
  if (!args.scope || args.scope === 'true') fail(`--scope is required\n${USAGE}`);
  if (args.supplier && !isValidOrgNumber(args.supplier))
    fail('--supplier must be a valid organisation number');
  if (args.issuer) {
    try {
      normaliseIssuer(args.issuer);
    } catch {
      fail(`--issuer must be an absolute http(s) URL, got "${args.issuer}"`);
    }
  }
  const config = loadCliConfig();
  const ttl = args.ttl ? Number(args.ttl) : undefined;
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1 || ttl > config.maxTokenLifetimeSeconds))
    fail(`--ttl must be an integer between 1 and ${config.maxTokenLifetimeSeconds}`);
  const ctx = await openCliContext('npm run token', config);
  try {
    const recorded = await IssuerRecordService.recorded(ctx.prisma);
    const { issuer, source } = await chooseIssuer(args, ctx.server, config, recorded);
    process.stderr.write(`issuer ${issuer} (from ${source})\n`);
    const signer = new TokenSignerService(ctx.keys, { ...config, publicUrl: issuer.slice(0, -1) });
    const { token } = await signer.sign({
      consumer: args.org,
      supplier: args.supplier,
      scope: args.scope.trim().split(/\s+/).join(' '),
      clientId: `cli:${args.org}`,
      clientAmr: 'cli',
      ttlSeconds: ttl ?? config.maxTokenLifetimeSeconds,
    });
    process.stdout.write(`${token}\n`);
  } finally {
    await ctx.close();
  }
}

main().catch((err: unknown) => fail(`token: ${err instanceof Error ? err.message : String(err)}`));
