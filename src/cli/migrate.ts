import { openDatabase } from '../prisma/database-connection.js';
import { explain, fail, handleHelp, loadCliConfig } from './cli-context.js';

const USAGE = `
usage: npm run db:migrate

Applies pending migrations (prisma/migrations) to DATABASE_URL, or to the embedded database in
DATA_DIR (through the running server, when one runs there). The server also migrates at start.
`;

/** `npm run db:migrate`: apply pending migrations to DATABASE_URL (or the embedded database). */
async function main(): Promise<void> {
  handleHelp(process.argv.slice(2), USAGE);
  const config = loadCliConfig();
  const db = await openDatabase(config, (m) => process.stdout.write(`${m}\n`), {
    reuseRunning: true,
    role: 'npm run db:migrate',
  }).catch(explain);
  await db.stop();
  process.stdout.write('database is up to date\n');
}

main().catch((err: unknown) => fail(`migrate: ${err instanceof Error ? err.message : String(err)}`));
