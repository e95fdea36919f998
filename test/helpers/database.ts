import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startEmbeddedDatabase } from '../../src/prisma/embedded-database.js';
import { migrate, readMigrations } from '../../src/prisma/migrator.js';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';

/** Name of the migrated template database on TEST_DATABASE_URL. */
export const TEMPLATE_DB = 'consentgw_test_template';
/** Serialises template (re)builds between test files and parallel runs. */
const TEMPLATE_LOCK = 727073691;

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

let templateReady: Promise<void> | undefined;

/** The template is rebuilt only when its applied migrations differ from the files. */
async function templateIsCurrent(base: string): Promise<boolean> {
  const files = await readMigrations();
  const c = new pg.Client({ connectionString: withDatabase(base, TEMPLATE_DB) });
  try {
    await c.connect();
  } catch {
    return false;
  }
  try {
    const { rows } = await c.query<{ migration_name: string; checksum: string }>(
      'SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name',
    );
    return (
      rows.length === files.length &&
      rows.every((r, i) => r.migration_name === files[i].name && r.checksum === files[i].checksum)
    );
  } catch {
    return false;
  } finally {
    await c.end();
  }
}

async function ensureTemplate(base: string): Promise<void> {
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    if (!(await templateIsCurrent(base))) {
      await admin.query(`DROP DATABASE IF EXISTS "${TEMPLATE_DB}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${TEMPLATE_DB}"`);
      await migrate(withDatabase(base, TEMPLATE_DB));
    }
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]).catch(() => undefined);
    await admin.end();
  }
}

/**
 * A fresh, migrated database for one test file: on PostgreSQL a copy of the migrated template
 * (`CREATE DATABASE … TEMPLATE`, ~50 ms), otherwise an in-memory PGlite of its own.
 */
export async function createTestDatabase(): Promise<DatabaseConnection> {
  const base = process.env.TEST_DATABASE_URL;
  if (base) {
    templateReady ??= ensureTemplate(base);
    await templateReady;
    const name = `consentgw_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    try {
      // CREATE DATABASE … TEMPLATE fails while another session is connected to the template.
      for (let attempt = 0; ; attempt++) {
        try {
          await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DB}"`);
          break;
        } catch (err) {
          if (attempt >= 20) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } finally {
      await admin.end();
    }
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
  const embedded = await startEmbeddedDatabase('memory://');
  await migrate(embedded.url);
  // One connection: pglite-socket interleaves other connections' extended-protocol queries
  // with an open transaction (seen with 0.2.17), so embedded mode uses a single connection.
  return { url: embedded.url, embedded: true, poolMax: 1, stop: () => embedded.stop() };
}
