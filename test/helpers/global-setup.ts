import pg from 'pg';
import { migrate } from '../../src/prisma/migrator.js';
import { TEMPLATE_DB, withDatabase } from './database.js';

/** On PostgreSQL, build the migrated template once per run; each test file copies it. */
export default async function globalSetup(): Promise<void> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) return;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${TEMPLATE_DB}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${TEMPLATE_DB}"`);
  } finally {
    await admin.end();
  }
  await migrate(withDatabase(base, TEMPLATE_DB));
}
