import { openDatabase } from '../prisma/database-connection.js';
import { fail } from './cli-context.js';
import { loadConfig } from '../config/load-config.js';

/** `npm run db:migrate`: apply pending migrations to DATABASE_URL (or the embedded database). */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase(config, (m) => process.stdout.write(`${m}\n`), { reuseRunning: true });
  await db.stop();
  process.stdout.write('database is up to date\n');
}

main().catch((err: unknown) => fail(`migrate: ${err instanceof Error ? err.message : String(err)}`));
