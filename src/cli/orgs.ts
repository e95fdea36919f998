import { readFileSync } from 'node:fs';
import { AuditService } from '../audit/audit.service.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ContinuationTokens } from '../common/paging/continuation-tokens.js';
import { parseBrregCsv, parseBrregJson } from '../owners/brreg-records.js';
import { OrganizationsService } from '../owners/organizations.service.js';
import { fail, openCliContext } from './cli-context.js';

/**
 * `npm run orgs -- import FILE` loads the Brønnøysund open-data format (JSON or CSV, by the
 * file's first character) into the organisation register, in one transaction, and prints what
 * changed. The same rules as `POST /admin/v1/organizations/import`; the audit names the CLI.
 */
const USAGE = 'usage: npm run orgs -- import <file.json|file.csv>';

async function main(): Promise<void> {
  const [command, file, ...rest] = process.argv.slice(2);
  if (command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command !== 'import' || !file || rest.length) fail(USAGE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    fail(`orgs: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  let parsed;
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (err) {
      fail(`orgs: ${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    parsed = parseBrregJson(json);
  } else parsed = parseBrregCsv(text);
  if ('problems' in parsed)
    fail(
      `orgs: nothing imported; ${file} has invalid units:\n` +
        parsed.problems.map((p) => `  ${p.paths.join(', ')}: ${p.title}`).join('\n'),
    );

  const ctx = await openCliContext('npm run orgs import');
  try {
    const register = new OrganizationsService(
      ctx.prisma,
      new AuditService(ctx.prisma),
      new ContinuationTokens(ctx.config),
    );
    const summary = await register.importMany(parsed.rows, { client: 'cli:orgs' });
    process.stdout.write(
      `imported ${parsed.rows.length} unit(s): ${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged\n`,
    );
  } catch (err) {
    if (err instanceof DomainError)
      fail(`orgs: nothing imported: ${err.validationErrors?.map((p) => p.title).join('; ') ?? err.detail}`);
    throw err;
  } finally {
    await ctx.close();
  }
}

main().catch((err: unknown) => fail(`orgs: ${err instanceof Error ? err.message : String(err)}`));
