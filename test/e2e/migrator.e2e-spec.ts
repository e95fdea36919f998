import { createHash, randomBytes } from 'node:crypto';
import { appendFile, cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { startEmbeddedDatabase } from '../../src/prisma/embedded-database.js';
import { MigrationError, migrate } from '../../src/prisma/migrator.js';
import { withDatabase } from '../helpers/database.js';

/**
 * The migrator against real, initially empty databases: PostgreSQL when TEST_DATABASE_URL is set
 * (a `consentgw_test_<random>` database of our own, dropped afterwards), otherwise an in-memory
 * PGlite. Every scenario gets a database of its own because each one starts from "nothing applied".
 */

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MIGRATIONS_DIR = path.join(REPO_ROOT, 'prisma', 'migrations');

interface EmptyDatabase {
  url: string;
  stop(): Promise<void>;
}

async function createEmptyDatabase(): Promise<EmptyDatabase> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) return startEmbeddedDatabase('memory://');
  // The consentgw_test_ prefix lets global-teardown drop it even if this file crashes midway.
  const name = `consentgw_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(base, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  return {
    url: withDatabase(base, name),
    stop: async () => {
      await withAdmin(base, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  logs: string | null;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}

function migrationRows(url: string): Promise<MigrationRow[]> {
  return withAdmin(url, async (c) => {
    const { rows } = await c.query<MigrationRow>(
      'SELECT id, checksum, migration_name, logs, started_at, finished_at, rolled_back_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name, started_at',
    );
    return rows;
  });
}

function tableExists(url: string, table: string): Promise<boolean> {
  return withAdmin(url, async (c) => {
    const { rows } = await c.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [
      `public."${table}"`,
    ]);
    return rows[0].exists;
  });
}

function columnExists(url: string, table: string, column: string): Promise<boolean> {
  return withAdmin(url, async (c) => {
    const { rows } = await c.query(
      'SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2',
      [table, column],
    );
    return rows.length > 0;
  });
}

/**
 * The expected checksums are computed here from the raw bytes, independently of the migrator's
 * own readMigrations, so a bug there (say, hashing a normalised string) cannot hide itself.
 */
async function expectedMigrations(dir: string): Promise<{ name: string; checksum: string }[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => ({
      name,
      checksum: createHash('sha256')
        .update(await readFile(path.join(dir, name, 'migration.sql')))
        .digest('hex'),
    })),
  );
}

/** A scratch copy of prisma/migrations that a scenario may add to or tamper with. */
async function copyOfMigrations(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'consentgw-migrations-'));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

async function addMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(path.join(dir, name));
  await writeFile(path.join(dir, name, 'migration.sql'), sql);
}

// The first statements succeed and the last one fails, so a migrator that did not roll back
// the whole file would leave a table and a column behind.
const BROKEN_NAME = '20991231000000_broken';
const BROKEN_SQL = `CREATE TABLE "broken_half_applied" ("id" INTEGER NOT NULL);
ALTER TABLE "owners" ADD COLUMN "broken_column" TEXT;
SELECT * FROM "no_such_table";
`;

describe('the migrator on an empty database', () => {
  let db: EmptyDatabase;
  let shipped: { name: string; checksum: string }[];

  beforeAll(async () => {
    db = await createEmptyDatabase();
    shipped = await expectedMigrations(MIGRATIONS_DIR);
  });

  afterAll(async () => {
    await db.stop();
  });

  // On PostgreSQL Prisma's advisory lock serialises the three. On PGlite every socket connection
  // shares one backend session, so the lock is re-entrant and excludes nothing there; the
  // migrator re-checks each migration inside its own transaction, which pglite-socket runs
  // exclusively. Either way each migration must be applied exactly once.
  it('applies every migration exactly once when three migrators start at the same moment', async () => {
    const results = await Promise.all([migrate(db.url), migrate(db.url), migrate(db.url)]);

    const allNames = shipped.map((m) => m.name);
    const appliedByEach = results.map((r) => r.applied);
    // Every migration was applied by exactly one of the three, and the others saw it as done.
    expect(appliedByEach.flat().sort()).toEqual(allNames);
    for (const r of results) expect([...r.applied, ...r.alreadyApplied].sort()).toEqual(allNames);

    const rows = await migrationRows(db.url);
    expect(rows.map((r) => r.migration_name)).toEqual(allNames);
    for (const row of rows) {
      const file = shipped.find((m) => m.name === row.migration_name)!;
      expect(row.checksum).toBe(file.checksum);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.logs).toBeNull();
      // Prisma's id column is varchar(36): a UUID.
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    }
    expect(await tableExists(db.url, 'owners')).toBe(true);
  });

  it('does nothing when run again on an up-to-date database', async () => {
    const before = await migrationRows(db.url);
    const logged: string[] = [];

    const result = await migrate(db.url, { log: (msg) => logged.push(msg) });

    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied).toEqual(shipped.map((m) => m.name));
    expect(logged).toEqual([]);
    expect(await migrationRows(db.url)).toEqual(before);
  });
});

describe('the migrator when a migration fails', () => {
  let db: EmptyDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    dir = await copyOfMigrations();
    await addMigration(dir, BROKEN_NAME, BROKEN_SQL);
  });

  afterAll(async () => {
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies the good migrations, records the broken one as failed and reports why', async () => {
    const run = migrate(db.url, { dir });

    await expect(run).rejects.toThrow(MigrationError);
    await expect(run).rejects.toThrow(/20991231000000_broken failed: .*no_such_table/);

    const rows = await migrationRows(db.url);
    const good = rows.filter((r) => r.migration_name !== BROKEN_NAME);
    expect(good.length).toBeGreaterThan(0);
    for (const row of good) expect(row.finished_at).toBeInstanceOf(Date);

    // Prisma's notion of a failed migration: started, never finished, not rolled back (P3009).
    const broken = rows.filter((r) => r.migration_name === BROKEN_NAME);
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
    expect(broken[0].logs).toMatch(/no_such_table/);
    expect(broken[0].checksum).toBe(createHash('sha256').update(BROKEN_SQL).digest('hex'));
  });

  it('leaves nothing behind from the statements of the broken file that did succeed', async () => {
    expect(await tableExists(db.url, 'broken_half_applied')).toBe(false);
    expect(await columnExists(db.url, 'owners', 'broken_column')).toBe(false);
  });

  it('refuses to run again until the failed migration is resolved, without retrying it', async () => {
    const before = await migrationRows(db.url);

    await expect(migrate(db.url, { dir })).rejects.toThrow(MigrationError);
    await expect(migrate(db.url, { dir })).rejects.toThrow(/20991231000000_broken failed earlier/);
    // Even the healthy shipped set is refused: a half-known database state is not one to build on.
    await expect(migrate(db.url)).rejects.toThrow(/failed earlier/);

    expect(await migrationRows(db.url)).toEqual(before);
  });

  it('applies the fixed migration once the failed attempt is marked rolled back, as prisma migrate resolve does', async () => {
    await withAdmin(db.url, (c) =>
      c.query('UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1', [
        BROKEN_NAME,
      ]),
    );
    const fixed = 'CREATE TABLE "broken_half_applied" ("id" INTEGER NOT NULL);\n';
    await writeFile(path.join(dir, BROKEN_NAME, 'migration.sql'), fixed);

    const result = await migrate(db.url, { dir });

    expect(result.applied).toEqual([BROKEN_NAME]);
    const rows = (await migrationRows(db.url)).filter((r) => r.migration_name === BROKEN_NAME);
    // The failed attempt stays as history; the new attempt is a row of its own.
    expect(rows).toHaveLength(2);
    expect(rows.filter((r) => r.rolled_back_at !== null && r.finished_at === null)).toHaveLength(1);
    const applied = rows.find((r) => r.finished_at !== null)!;
    expect(applied.checksum).toBe(createHash('sha256').update(fixed).digest('hex'));
    expect(applied.applied_steps_count).toBe(1);
    expect(await tableExists(db.url, 'broken_half_applied')).toBe(true);
  });
});

describe('the migrator when an applied migration was modified', () => {
  let db: EmptyDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    dir = await copyOfMigrations();
    await migrate(db.url, { dir });
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
    dir = await copyOfMigrations();
  });

  afterAll(async () => {
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to start and names the migration whose checksum no longer matches', async () => {
    const [first] = await expectedMigrations(dir);
    // Even a trailing comment changes the sha256; Prisma would refuse it too.
    await appendFile(path.join(dir, first.name, 'migration.sql'), '\n-- edited after it was applied\n');
    const before = await migrationRows(db.url);

    const run = migrate(db.url, { dir });

    await expect(run).rejects.toThrow(MigrationError);
    await expect(run).rejects.toThrow(new RegExp(`${first.name} was modified after it was applied`));
    expect(await migrationRows(db.url)).toEqual(before);
  });

  it('applies no newer migration while an older applied one is modified', async () => {
    const [first] = await expectedMigrations(dir);
    await appendFile(path.join(dir, first.name, 'migration.sql'), '\n-- edited after it was applied\n');
    await addMigration(dir, '20991231000001_later', 'CREATE TABLE "later_table" ("id" INTEGER NOT NULL);\n');

    await expect(migrate(db.url, { dir })).rejects.toThrow(/was modified after it was applied/);

    expect(await tableExists(db.url, 'later_table')).toBe(false);
    expect((await migrationRows(db.url)).map((r) => r.migration_name)).not.toContain('20991231000001_later');
  });
});
