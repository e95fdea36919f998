import { isValidOrgNumber } from '../common/identifiers/org-number.js';
import { fail, openCliContext, parseArgs } from './cli-context.js';

/**
 * `npm run token -- --org 974761076 --scope "consentgw:admin idporten:scopes.write" [--ttl 3600]`
 * Prints one access token of the built-in issuer on stdout and nothing else (DESIGN §1).
 */
const USAGE =
  'usage: npm run token -- --org <orgno> --scope "<scopes>" [--ttl <seconds>] [--supplier <orgno>]';

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!args.org || !isValidOrgNumber(args.org))
    fail(`--org must be a valid 9-digit organisation number\n${USAGE}`);
  if (!args.scope || args.scope === 'true') fail(`--scope is required\n${USAGE}`);
  if (args.supplier && !isValidOrgNumber(args.supplier))
    fail('--supplier must be a valid organisation number');
  const ttl = args.ttl ? Number(args.ttl) : undefined;
  const ctx = await openCliContext();
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1 || ttl > ctx.config.maxTokenLifetimeSeconds))
    fail(`--ttl must be an integer between 1 and ${ctx.config.maxTokenLifetimeSeconds}`);
  try {
    const { token } = await ctx.signer.sign({
      consumer: args.org,
      supplier: args.supplier,
      scope: args.scope.trim().split(/\s+/).join(' '),
      clientId: `cli:${args.org}`,
      clientAmr: 'cli',
      ttlSeconds: ttl ?? ctx.config.maxTokenLifetimeSeconds,
    });
    process.stdout.write(`${token}\n`);
  } finally {
    await ctx.close();
  }
}

main().catch((err: unknown) => fail(`token: ${err instanceof Error ? err.message : String(err)}`));
