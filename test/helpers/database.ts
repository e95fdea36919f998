import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedDatabase } from '../../src/prisma/embedded-database.js';
import { migrate, readMigrations } from '../../src/prisma/migrator.js';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';

/**
 * Name of the migrated template database on TEST_DATABASE_URL for one set of migrations: named
 * after their fingerprint, so test runs of different checkouts (branches with other migrations)
 * on one server each keep their own template instead of rebuilding each other's.
 */
function templateDb(fingerprint: string): string {
  return `consentgw_test_template_${createHash('sha256').update(fingerprint).digest('hex').slice(0, 16)}`;
}
/**
 * Guards the template: copies hold it shared, a (re)build holds it exclusively, so test files
 * running in parallel Jest workers (or parallel runs) never copy a template that is being built.
 */
const TEMPLATE_LOCK = 727073691;

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** What the template must contain: the migration files' names and checksums, hashed. */
async function migrationsFingerprint(): Promise<string> {
  const hash = createHash('sha256');
  for (const m of await readMigrations()) hash.update(`${m.name}\n${m.checksum}\n`);
  return `consentgw migrations ${hash.digest('hex')}`;
}

/**
 * The fingerprint is the template's database comment, read from the admin connection: nobody
 * connects to the template itself to check it, because `CREATE DATABASE … TEMPLATE` fails while
 * any session is connected to the template.
 */
async function templateFingerprint(admin: pg.Client, template: string): Promise<string | null> {
  const { rows } = await admin.query<{ comment: string | null }>(
    "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
    [template],
  );
  return rows[0]?.comment ?? null;
}

async function rebuildTemplate(admin: pg.Client, base: string, fingerprint: string): Promise<void> {
  const template = templateDb(fingerprint);
  await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
  try {
    if ((await templateFingerprint(admin, template)) === fingerprint) return; // another worker built it
    await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${template}"`);
    await migrate(withDatabase(base, template));
    // Set last, so a build that died halfway is rebuilt next time.
    await admin.query(`COMMENT ON DATABASE "${template}" IS '${fingerprint}'`);
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
  }
}

/** Copies the template into `name`, (re)building the template first when the migrations changed. */
async function copyTemplate(base: string, name: string): Promise<void> {
  const fingerprint = await migrationsFingerprint();
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    for (;;) {
      await admin.query('SELECT pg_advisory_lock_shared($1)', [TEMPLATE_LOCK]);
      try {
        if ((await templateFingerprint(admin, templateDb(fingerprint))) === fingerprint) {
          await createFromTemplate(admin, name, templateDb(fingerprint));
          return;
        }
      } finally {
        await admin.query('SELECT pg_advisory_unlock_shared($1)', [TEMPLATE_LOCK]);
      }
      await rebuildTemplate(admin, base, fingerprint);
    }
  } finally {
    await admin.end();
  }
}

async function createFromTemplate(admin: pg.Client, name: string, template: string): Promise<void> {
  // Fails while a session is connected to the template; with the lock above that is only a
  // straggler (a psql left open on it), so keep trying for a while rather than fail the file.
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '55006' || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * A fresh, migrated database for one test file: on PostgreSQL a copy of the migrated template
 * (`CREATE DATABASE … TEMPLATE`, ~50 ms), otherwise a PGlite of its own on a copy of a migrated
 * data directory.
 */
export async function createTestDatabase(): Promise<DatabaseConnection> {
  const base = process.env.TEST_DATABASE_URL;
  if (base) {
    const name = `consentgw_test_${randomBytes(6).toString('hex')}`;
    await copyTemplate(base, name);
    return {
      url: withDatabase(base, name),
      embedded: false,
      poolMax: 5,
      stop: async () => {
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        try {
          await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        } finally {
          await c.end();
        }
      },
    };
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'consentgw-test-pglite-'));
  await cp(await pgliteTemplate(), dataDir, { recursive: true });
  const embedded = await startEmbeddedDatabase(dataDir);
  await migrate(embedded.url); // nothing to apply: proves the copy is current
  // One connection: pglite-socket interleaves other connections' extended-protocol queries
  // with an open transaction (seen with 0.2.17), so embedded mode uses a single connection.
  return {
    url: embedded.url,
    embedded: true,
    poolMax: 1,
    stop: async () => {
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A migrated PGlite data directory to copy, the embedded counterpart of the PostgreSQL template:
 * PGlite's initdb costs ~2.8 CPU-s per database (in memory or not), opening a copied directory
 * ~0.4 s. On disk, as DATA_DIR is in production. Named after the migrations and the PGlite
 * version; built once per machine, into a temporary directory renamed into place, so parallel
 * workers never copy a half-built one (a worker that loses the race drops its own).
 */
async function pgliteTemplate(): Promise<string> {
  const pglitePackage = path.resolve(
    import.meta.dirname,
    '../../node_modules/@electric-sql/pglite/package.json',
  );
  const { version } = JSON.parse(await readFile(pglitePackage, 'utf8')) as { version: string };
  const key = createHash('sha256')
    .update(`${await migrationsFingerprint()} pglite ${version}`)
    .digest('hex')
    .slice(0, 16);
  const template = path.join(tmpdir(), `consentgw-test-pglite-template-${key}`);
  if (await stat(template).catch(() => null)) return template;
  const building = await mkdtemp(`${template}.building-`);
  const embedded = await startEmbeddedDatabase(building);
  try {
    await migrate(embedded.url);
  } finally {
    await embedded.stop();
  }
  try {
    await rename(building, template);
  } catch (err) {
    // Another worker renamed its copy first (ENOTEMPTY/EEXIST): use that one.
    await rm(building, { recursive: true, force: true });
    if (!(await stat(template).catch(() => null))) throw err;
  }
  return template;
}
