import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';
import { createTestDatabase } from '../helpers/database.js';
import {
  describeDatabase,
  diffDatabaseShapes,
  parsePrismaSchema,
  PrismaSchemaError,
  readDatabaseShape,
  type DatabaseShape,
} from '../helpers/prisma-schema-parser.js';

/**
 * DESIGN §2: "A test proves the migrated database matches schema.prisma." The Prisma schema
 * engine (`prisma migrate diff`) cannot run here, so the database that the hand-written
 * migrations build is compared with what schema.prisma describes, through a small parser of the
 * schema (test/helpers/prisma-schema-parser.ts). The second half of this file shows that the
 * comparison really fails on drift, from either side.
 */

const SCHEMA_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'prisma',
  'schema.prisma',
);

let db: DatabaseConnection;
let client: pg.Client;
let schemaText: string;
let actual: DatabaseShape;

beforeAll(async () => {
  db = await createTestDatabase();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  schemaText = await readFile(SCHEMA_PATH, 'utf8');
  actual = await readDatabaseShape(client);
});

afterAll(async () => {
  await client?.end();
  await db?.stop();
});

/** The schema text with one edit applied; fails loudly if the edit no longer applies. */
function edited(from: string | RegExp, to: string): string {
  const next = schemaText.replace(from, to);
  if (next === schemaText)
    throw new Error(`the edit ${String(from)} no longer matches schema.prisma; update this test`);
  return next;
}

function driftFromSchema(text: string): string[] {
  return diffDatabaseShapes(describeDatabase(parsePrismaSchema(text)), actual);
}

describe('the database built by the migrations', () => {
  it('has exactly the tables, columns, types, nullability, defaults, keys, indexes and foreign keys of schema.prisma', () => {
    expect(driftFromSchema(schemaText)).toEqual([]);
  });

  it('was compared against every model and every field of schema.prisma', () => {
    // A cross-check of the parser that does not use the parser: if it ever skipped a model or a
    // field line, a drift in exactly that place could go unnoticed.
    // (Comments go first: doc comments such as `{identifier: versionId}` contain braces.)
    const withoutComments = schemaText.replace(/\/\/.*$/gm, '');
    const modelBlocks = [...withoutComments.matchAll(/^model\s+(\w+)\s*\{([^}]*)\}/gm)];
    const fieldLines = modelBlocks.flatMap(([, , body]) =>
      body
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^[a-zA-Z]\w*\s+[A-Z]\w*/.test(l)),
    );
    const parsed = parsePrismaSchema(schemaText);

    expect(parsed.models.map((m) => m.name)).toEqual(modelBlocks.map(([, name]) => name));
    expect(parsed.models.flatMap((m) => m.fields)).toHaveLength(fieldLines.length);
    expect(Object.keys(actual).sort()).toEqual(Object.keys(describeDatabase(parsed)).sort());
  });

  it('reads the schema the way Prisma does: @map and @@map names, Prisma types, composite keys and relations', () => {
    const expected = describeDatabase(parsePrismaSchema(schemaText));

    expect(expected.owners.columns.org_number).toEqual({ type: 'text', nullable: false, default: null });
    expect(expected.owners.columns.created_at).toEqual({
      type: 'timestamp(3) with time zone',
      nullable: false,
      default: 'now()',
    });
    expect(expected.owners.indexes).toEqual([
      {
        name: 'owners_org_number_key',
        columns: ['org_number'],
        unique: true,
        method: 'btree',
        predicate: null,
      },
    ]);
    expect(expected.org_roles.primaryKey).toEqual({
      name: 'org_roles_pkey',
      columns: ['org_number', 'person_id'],
    });
    // Lists are nullable arrays, as Prisma generates them.
    expect(expected.org_roles.columns.roles).toEqual({ type: 'text[]', nullable: true, default: null });
    expect(expected.audit_log.columns.id).toEqual({
      type: 'bigint',
      nullable: false,
      default: 'autoincrement()',
    });
    expect(expected.protected_apis.columns.max_body_bytes.default).toBe('104857600');
    expect(expected.scopes.columns.token_type.default).toBe("'SELF_CONTAINED'");
    expect(expected.access_lists.columns.id.type).toBe('uuid');
    expect(expected.client_keys.foreignKeys).toEqual([
      {
        name: 'client_keys_client_id_fkey',
        columns: ['client_id'],
        referencedTable: 'clients',
        referencedColumns: ['client_id'],
        onDelete: 'Cascade',
        onUpdate: 'Cascade',
      },
    ]);
  });
});

describe('the parity check, when schema.prisma drifts from the migrations', () => {
  it('reports a column that schema.prisma adds but no migration creates', () => {
    const text = edited(/(model Owner \{\n)/, '$1  extra     String\n');

    expect(driftFromSchema(text)).toEqual([
      'column owners.extra is in schema.prisma but not in the database',
    ]);
  });

  it('reports an index that schema.prisma declares but no migration creates', () => {
    const text = edited(/(\n {2}@@map\("owners"\))/, '\n  @@index([createdAt])$1');

    expect(driftFromSchema(text)).toEqual([
      'index owners_created_at_idx on owners btree on (created_at) is in schema.prisma but not in the database',
    ]);
  });

  it('reports an index that the migrations create but schema.prisma no longer declares', () => {
    const text = edited('  @@index([status, validTo])\n', '');

    expect(driftFromSchema(text)).toEqual([
      'index consent_requests_status_valid_to_idx on consent_requests btree on (status, valid_to) is in the database but not in schema.prisma',
    ]);
  });

  it('reports a required field made optional', () => {
    const text = edited(/(model Owner \{[^}]*?\n {2}name\s+)Json\n/, '$1Json?\n');

    expect(driftFromSchema(text)).toEqual([
      'column owners.name is nullable in schema.prisma but NOT NULL in the database',
    ]);
  });

  it('reports a changed column type', () => {
    const text = edited(/(model AccessList \{\n {2}id\s+String\s+@id) @db\.Uuid/, '$1');

    expect(driftFromSchema(text)).toEqual([
      'column access_lists.id is text in schema.prisma but uuid in the database',
    ]);
  });

  it('reports a changed default', () => {
    const text = edited('@default("SELF_CONTAINED")', '@default("OPAQUE")');

    expect(driftFromSchema(text)).toEqual([
      "column scopes.token_type has default 'OPAQUE' in schema.prisma but 'SELF_CONTAINED' in the database",
    ]);
  });

  it("reports a relation whose onDelete no longer matches the foreign key's", () => {
    const text = edited(
      'references: [identifier], onDelete: Cascade)',
      'references: [identifier], onDelete: Restrict)',
    );

    expect(driftFromSchema(text)).toEqual([
      'foreign key resource_versions_resource_identifier_fkey on resource_versions is (resource_identifier) → resources(identifier) ON DELETE Restrict ON UPDATE Cascade in schema.prisma but (resource_identifier) → resources(identifier) ON DELETE Cascade ON UPDATE Cascade in the database',
    ]);
  });

  it('reports a table renamed with @@map as one missing and one unexpected table', () => {
    const text = edited('@@map("owners")', '@@map("service_owners")');

    expect(driftFromSchema(text)).toEqual([
      'table owners is in the database but not in schema.prisma',
      'table service_owners is in schema.prisma but not in the database',
    ]);
  });
});

describe('the parity check, when the database drifts from schema.prisma', () => {
  // Each change runs inside a transaction that is rolled back, so the database stays as the
  // migrations built it for the other tests (DDL is transactional on PostgreSQL and PGlite).
  async function driftAfter(sql: string): Promise<string[]> {
    await client.query('BEGIN');
    try {
      await client.query(sql);
      return diffDatabaseShapes(
        describeDatabase(parsePrismaSchema(schemaText)),
        await readDatabaseShape(client),
      );
    } finally {
      await client.query('ROLLBACK');
    }
  }

  it('reports an index a migration forgot', async () => {
    expect(await driftAfter('DROP INDEX "consent_events_to_org_seq_idx"')).toEqual([
      'index consent_events_to_org_seq_idx on consent_events btree on (to_org, seq) is in schema.prisma but not in the database',
    ]);
  });

  it('reports an index built on other columns or in another order than declared', async () => {
    const sql =
      'DROP INDEX "consent_events_to_org_seq_idx"; CREATE INDEX "consent_events_to_org_seq_idx" ON "consent_events"("to_org", "seq" DESC)';

    expect(await driftAfter(sql)).toEqual([
      'index consent_events_to_org_seq_idx on consent_events is btree on (to_org, seq) in schema.prisma but btree on (to_org, seq DESC) in the database',
    ]);
  });

  it('reports a unique index that lost its uniqueness', async () => {
    const sql =
      'DROP INDEX "owners_org_number_key"; CREATE INDEX "owners_org_number_key" ON "owners"("org_number")';

    expect(await driftAfter(sql)).toEqual([
      'index owners_org_number_key on owners is unique btree on (org_number) in schema.prisma but btree on (org_number) in the database',
    ]);
  });

  it('reports a column no model declares', async () => {
    expect(await driftAfter('ALTER TABLE "owners" ADD COLUMN "extra" TEXT')).toEqual([
      'column owners.extra is in the database but not in schema.prisma',
    ]);
  });

  it('reports a column that lost its NOT NULL', async () => {
    expect(await driftAfter('ALTER TABLE "owners" ALTER COLUMN "name" DROP NOT NULL')).toEqual([
      'column owners.name is NOT NULL in schema.prisma but nullable in the database',
    ]);
  });

  it('reports a column of another type', async () => {
    expect(await driftAfter('ALTER TABLE "scopes" ALTER COLUMN "at_max_age" TYPE BIGINT')).toEqual([
      'column scopes.at_max_age is integer in schema.prisma but bigint in the database',
    ]);
  });

  it('reports a timestamp without its time zone', async () => {
    expect(
      await driftAfter('ALTER TABLE "portal_sessions" ALTER COLUMN "expires_at" TYPE TIMESTAMP(3)'),
    ).toEqual([
      'column portal_sessions.expires_at is timestamp(3) with time zone in schema.prisma but timestamp(3) without time zone in the database',
    ]);
  });

  it('reports a lost default', async () => {
    expect(await driftAfter('ALTER TABLE "scopes" ALTER COLUMN "active" DROP DEFAULT')).toEqual([
      'column scopes.active has default true in schema.prisma but none in the database',
    ]);
  });

  it('reports a lost foreign key', async () => {
    expect(
      await driftAfter('ALTER TABLE "client_keys" DROP CONSTRAINT "client_keys_client_id_fkey"'),
    ).toEqual([
      'foreign key client_keys_client_id_fkey on client_keys (client_id) → clients(client_id) ON DELETE Cascade ON UPDATE Cascade is in schema.prisma but not in the database',
    ]);
  });

  it('reports a primary key over other columns', async () => {
    const sql =
      'ALTER TABLE "org_roles" DROP CONSTRAINT "org_roles_pkey"; ALTER TABLE "org_roles" ADD CONSTRAINT "org_roles_pkey" PRIMARY KEY ("person_id", "org_number")';

    expect(await driftAfter(sql)).toEqual([
      'primary key of org_roles is org_roles_pkey (org_number, person_id) in schema.prisma but org_roles_pkey (person_id, org_number) in the database',
    ]);
  });

  it('reports a table no model declares, but not Prisma’s own _prisma_migrations', async () => {
    expect(await driftAfter('CREATE TABLE "stray" ("id" INTEGER)')).toEqual([
      'table stray is in the database but not in schema.prisma',
    ]);
  });
});

describe('the schema parser', () => {
  // Refusing is the point: a construct the parser skipped would be a part of the schema the
  // parity check silently stops checking.
  it.each([
    ['an enum', 'enum Status {\n  active\n}\n'],
    ['an unmapped native type', 'model T {\n  id String @id @db.Inet\n}\n'],
    ['an Unsupported(...) column type', 'model T {\n  id String @id\n  g Unsupported("geometry")?\n}\n'],
    ['a non-btree index', 'model T {\n  id String @id\n  body Json\n  @@index([body], type: Gin)\n}\n'],
    ['an attribute it does not know', 'model T {\n  id String @id\n  @@ignore\n}\n'],
  ])('refuses %s instead of ignoring it', (_what, text) => {
    expect(() => describeDatabase(parsePrismaSchema(text))).toThrow(PrismaSchemaError);
  });

  it('says which line of the schema it could not read', () => {
    expect(() => parsePrismaSchema('model T {\n  id String @id\n  name String @map("x") oops\n}\n')).toThrow(
      /line 3: unexpected "oops"/,
    );
  });
});
