import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * Applies prisma/migrations/<timestamp>_<name>/migration.sql in order, recording each one in
 * Prisma's own `_prisma_migrations` table format (checksum = sha256 hex of the file) so that
 * `prisma migrate deploy` agrees with us where the Prisma schema engine is available.
 *
 * Safe when several replicas start at once: everything happens under Prisma's advisory lock
 * (72707369), so one migrator applies and the others then see the rows and skip. On PGlite, where
 * that lock excludes nothing (see applyIfPending), each migration's transaction does the same job.
 * Refuses to go on after a failed migration (a row with no `finished_at` and no
 * `rolled_back_at`), exactly like `prisma migrate deploy` (P3009).
 */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;

export const DEFAULT_MIGRATIONS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'prisma',
  'migrations',
);

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export async function readMigrations(dir = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory() && /^\d{14}_[a-z0-9_]+$/i.test(e.name))
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

// Prisma's P3009 condition: started, never finished, and not marked rolled back.
const isUnresolvedFailure = (r: AppliedRow) => r.finished_at === null && r.rolled_back_at === null;

function failedEarlier(name: string): MigrationError {
  return new MigrationError(
    `Migration ${name} failed earlier and was not resolved; fix the database and mark it rolled back before starting again.`,
  );
}

function modified(name: string): MigrationError {
  return new MigrationError(`Migration ${name} was modified after it was applied (checksum differs).`);
}

export async function migrate(
  connectionString: string,
  options: { dir?: string; log?: (msg: string) => void } = {},
): Promise<MigrateResult> {
  const migrations = await readMigrations(options.dir);
  const log = options.log ?? (() => undefined);
  const client = new pg.Client({ connectionString });
  // A pg client whose connection drops emits 'error'; unheard, that event would kill the process
  // instead of failing this call.
  client.on('error', () => undefined);
  await client.connect();
  const result: MigrateResult = { applied: [], alreadyApplied: [] };
  try {
    // Outside a transaction only simple (unparameterised) queries, on purpose: pglite-socket
    // queues each protocol message on its own, so another connection's transaction can slip in
    // between this connection's Parse and Bind and replace its unnamed statement ("portal does not
    // exist", or another query's rows). A simple query is one message and cannot be split; inside
    // our own transaction nobody else runs, so parameters are safe there.
    await client.query(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})`);
    try {
      await client.query(CREATE_TABLE);
      const { rows } = await client.query<AppliedRow>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
      );
      // Check the whole history before touching anything: an unresolved failure anywhere, or an
      // applied file that changed, means the database is not in a state we know how to build on.
      const failed = rows.find(isUnresolvedFailure);
      if (failed) throw failedEarlier(failed.migration_name);
      for (const m of migrations) {
        const row = rows.find((r) => r.migration_name === m.name && r.finished_at !== null);
        if (row && row.checksum !== m.checksum) throw modified(m.name);
      }
      for (const m of migrations) {
        if (await applyIfPending(client, m)) {
          log(`applied migration ${m.name}`);
          result.applied.push(m.name);
        } else {
          result.alreadyApplied.push(m.name);
        }
      }
    } finally {
      // Never let a failed unlock hide the real error; closing the session releases it anyway.
      await client.query(`SELECT pg_advisory_unlock(${PRISMA_ADVISORY_LOCK_KEY})`).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return result;
}

/**
 * Applies one migration in one transaction, unless another migrator already has. Returns
 * whether this call applied it.
 *
 * The state of the migration is read again inside the transaction. On PostgreSQL the advisory
 * lock already makes that redundant, but on PGlite every socket connection shares one backend
 * session, so the lock is re-entrant and excludes nothing; what does exclude there is an open
 * transaction (pglite-socket runs only the owning connection's queries until it ends). Reading,
 * applying and recording inside that transaction makes "exactly once" hold on both.
 *
 * The `_prisma_migrations` row is written inside the same transaction, so no other migrator ever
 * sees a half-done row, and a crash mid-migration rolls back the schema and the row together
 * (the next start simply retries). A failing migration is rolled back to a savepoint and then
 * recorded as failed (no `finished_at`) in a commit of its own, as `prisma migrate deploy` does.
 * (So a migration file must not contain its own BEGIN/COMMIT, nor statements that cannot run in a
 * transaction such as CREATE INDEX CONCURRENTLY.)
 */
async function applyIfPending(client: pg.Client, m: MigrationFile): Promise<boolean> {
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" WHERE migration_name = $1',
      [m.name],
    );
    if (rows.some(isUnresolvedFailure)) throw failedEarlier(m.name);
    const done = rows.find((r) => r.finished_at !== null);
    if (done) {
      if (done.checksum !== m.checksum) throw modified(m.name);
      await client.query('COMMIT');
      return false;
    }
    const id = randomUUID();
    await client.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, clock_timestamp(), 0)',
      [id, m.checksum, m.name],
    );
    await client.query('SAVEPOINT prisma_migration');
    try {
      await client.query(m.sql);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await client.query('ROLLBACK TO SAVEPOINT prisma_migration');
      await client.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, message]);
      await client.query('COMMIT');
      throw new MigrationError(`Migration ${m.name} failed: ${message}`);
    }
    await client.query(
      'UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1',
      [id],
    );
    await client.query('COMMIT');
    return true;
  } catch (err) {
    // No-op after COMMIT (PostgreSQL only warns), and the right thing for any error before it.
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
