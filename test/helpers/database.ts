import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startEmbeddedDatabase } from '../../src/prisma/embedded-database.js';
import { migrate } from '../../src/prisma/migrator.js';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';

/** Name of the migrated template database that global-setup builds on TEST_DATABASE_URL. */
export const TEMPLATE_DB = 'consentgw_test_template';

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * A fresh, migrated database for one test file: on PostgreSQL a copy of the migrated template
 * (`CREATE DATABASE … TEMPLATE`, ~50 ms), otherwise an in-memory PGlite of its own.
 */
export async function createTestDatabase(): Promise<DatabaseConnection> {
  const base = process.env.TEST_DATABASE_URL;
  if (base) {
    const name = `consentgw_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DB}"`);
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
  return { url: embedded.url, embedded: true, poolMax: 4, stop: () => embedded.stop() };
}
