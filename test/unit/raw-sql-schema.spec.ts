import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  BUMP_ACCESS_LIST_VERSION_SQL,
  LOCK_ACCESS_REQUEST_SQL,
} from '../../src/access-requests/access-requests.repository.js';
import { CONSENT_CREATE_SQL } from '../../src/consents/consent-create.repository.js';
import { feedQuery, INSERT_EVENTS_SQL } from '../../src/consents/consent-events.repository.js';
import { EXPIRE_DUE_SQL } from '../../src/consents/consent-expiry.repository.js';
import { NUMBERING_SQL } from '../../src/consents/consent-feed.repository.js';
import { ADD_AND_READ_SQL, PRUNE_SQL, TOTAL_SQL } from '../../src/gateway/daily-calls.repository.js';
import { CLAIM_SQL, SWEEP_SQL } from '../../src/gateway/one-time-claims.repository.js';
import { ADD_USAGE_SQL } from '../../src/gateway/usage.repository.js';
import { LOCK_RESOURCE_SQL } from '../../src/resources/resources.repository.js';
import { accessCheckQuery } from '../../src/access-lists/access-lists.repository.js';
import { CLIENT_SQL } from '../../src/clients/clients.repository.js';
import { SCOPE_SQL } from '../../src/scopes/scopes.repository.js';
import { SIGNING_KEY_SQL } from '../../src/tokens/signing-keys.repository.js';
import { WEBHOOK_SQL } from '../../src/webhooks/webhooks.repository.js';
import { describeDatabase, parsePrismaSchema, type DatabaseShape } from '../helpers/prisma-schema-parser.js';

/**
 * The raw SQL of the repositories (docs/architecture.md, "Database access") is text the compiler
 * cannot check, so this test checks it against `prisma/schema.prisma`: every table it names
 * exists, every column it writes or reads through a table alias exists in that table, and an
 * INSERT's `$n::type` casts match the column types — so a renamed column or a changed type fails
 * here, not in production. Add each new raw statement to STATEMENTS.
 */

const STATEMENTS: Record<string, string> = {
  'consents: create (consent-create.repository.ts)': CONSENT_CREATE_SQL,
  'consents: feed numbering (consent-feed.repository.ts)': NUMBERING_SQL,
  'consents: expiry sweep (consent-expiry.repository.ts)': EXPIRE_DUE_SQL,
  'gateway: one-time claim (one-time-claims.repository.ts)': CLAIM_SQL,
  'gateway: expired claims sweep (one-time-claims.repository.ts)': SWEEP_SQL,
  'gateway: usage counts (usage.repository.ts)': ADD_USAGE_SQL,
  'gateway: one day total (daily-calls.repository.ts)': TOTAL_SQL,
  'gateway: daily calls sync (daily-calls.repository.ts)': ADD_AND_READ_SQL,
  'gateway: daily calls prune (daily-calls.repository.ts)': PRUNE_SQL,
  'consents: event insert (consent-events.repository.ts)': INSERT_EVENTS_SQL,
  // The feed query is built per audience and filter: checked with every branch and condition in it.
  'consents: events feed page (consent-events.repository.ts)': feedQuery(
    { toOrgs: ['910000001'], handledByOrgs: ['910000002'] },
    {
      afterSeq: 1n,
      createdAfter: new Date(0),
      createdBefore: new Date(0),
      eventTypes: ['created'],
      consentRequestId: '00000000-0000-0000-0000-000000000000',
      limit: 100,
    },
  ).text,
  'resources: write lock (resources.repository.ts)': LOCK_RESOURCE_SQL,
  'access-requests: decision lock (access-requests.repository.ts)': LOCK_ACCESS_REQUEST_SQL,
  'access-requests: list version bump (access-requests.repository.ts)': BUMP_ACCESS_LIST_VERSION_SQL,
  'access-lists: membership check (access-lists.repository.ts)': accessCheckQuery('', '', '').text,
  ...textsOf('clients', CLIENT_SQL),
  ...textsOf('scopes', SCOPE_SQL),
  ...textsOf('tokens', SIGNING_KEY_SQL),
  ...textsOf('webhooks', WEBHOOK_SQL),
};

/** The text of each statement a repository builds with `Prisma.sql` (the values do not change it). */
function textsOf(context: string, builders: Record<string, (...args: never[]) => { text: string }>) {
  return Object.fromEntries(
    Object.entries(builders).map(([name, build]) => [
      `${context}: ${name}`,
      build(...(Array.from({ length: build.length }, () => null) as never[])).text,
    ]),
  );
}

const schema: DatabaseShape = describeDatabase(
  parsePrismaSchema(readFileSync(path.join(import.meta.dirname, '../../prisma/schema.prisma'), 'utf8')),
);

/** A cast as written in SQL → the column type as PostgreSQL prints it (ColumnShape.type). */
const CAST_TYPES: Record<string, string[]> = {
  text: ['text'],
  'text[]': ['text[]'],
  uuid: ['uuid'],
  jsonb: ['jsonb'],
  int: ['integer'],
  integer: ['integer'],
  bigint: ['bigint'],
  boolean: ['boolean'],
  timestamptz: ['timestamp(3) with time zone', 'timestamp(6) with time zone', 'timestamp with time zone'],
};

/** Splits on commas outside parentheses. */
function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of list) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** Every problem found in one statement (empty = in step with the schema). */
function checkStatement(sql: string, db: DatabaseShape): string[] {
  const problems: string[] = [];
  const text = sql.replace(/--.*$/gm, ' ');
  const columnOf = (table: string, column: string) => db[table]?.columns[column];

  // Tables and their aliases: FROM/JOIN/UPDATE/INTO <table> [AS] [alias] (not a row lock's
  // `FOR [NO KEY] UPDATE`, an upsert's `DO UPDATE SET`, nor a set-returning `FROM unnest(…)`).
  const aliases = new Map<string, string>();
  const tableRefs = text.matchAll(
    /(?<!\b(?:FOR|KEY|DO)\s+)\b(?:FROM|JOIN|UPDATE|INTO)\s+(?!(?:unnest|generate_series)\s*\()([a-z_][a-z0-9_]*)(?:\s+(?:AS\s+)?(?!WHERE|SET|SELECT|ON|VALUES|CROSS|JOIN|GROUP|ORDER|LIMIT)([a-z_][a-z0-9_]*))?/gi,
  );
  const ctes = new Set([...text.matchAll(/\b([a-z_][a-z0-9_]*)\s+AS\s*\(/gi)].map((m) => m[1]));
  for (const [, table, alias] of tableRefs) {
    // A set-returning function in FROM (`FROM unnest($1::uuid[], …) AS e`) is not a table.
    if (ctes.has(table) || /^(unnest|generate_series)$/i.test(table)) continue;
    if (!db[table]) {
      problems.push(`table ${table} is not in schema.prisma`);
      continue;
    }
    aliases.set(table, table);
    if (alias) aliases.set(alias, table);
  }

  // alias.column references, for aliases bound to real tables.
  for (const [, alias, column] of text.matchAll(/\b([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\b/gi)) {
    const table = aliases.get(alias);
    if (table && !columnOf(table, column)) problems.push(`${table}.${column} is not in schema.prisma`);
  }

  // UPDATE <table> [alias] SET <column> = …
  for (const [, table, column] of text.matchAll(
    /\bUPDATE\s+([a-z_][a-z0-9_]*)(?:\s+[a-z_][a-z0-9_]*)?\s+SET\s+([a-z_][a-z0-9_]*)\s*=/gi,
  ))
    if (db[table] && !columnOf(table, column)) problems.push(`${table}.${column} is not in schema.prisma`);

  // INSERT INTO <table> (<columns>) VALUES (<values>) | SELECT <values>
  for (const m of text.matchAll(
    /\bINSERT\s+INTO\s+([a-z_][a-z0-9_]*)\s*\(([^)]*)\)\s*(VALUES\s*\(|SELECT\b)/gi,
  )) {
    const [, table, columnList, form] = m;
    if (!db[table]) continue;
    const columns = splitTopLevel(columnList);
    for (const c of columns) if (!columnOf(table, c)) problems.push(`${table}.${c} is not in schema.prisma`);
    if (!/^VALUES/i.test(form)) continue;
    // The VALUES list: from after "VALUES (" to its closing parenthesis.
    const start = (m.index ?? 0) + m[0].length;
    let depth = 1;
    let end = start;
    while (depth && end < text.length) {
      if (text[end] === '(') depth++;
      if (text[end] === ')') depth--;
      end++;
    }
    const values = splitTopLevel(text.slice(start, end - 1));
    if (values.length !== columns.length)
      problems.push(`${table}: ${columns.length} columns but ${values.length} values`);
    values.forEach((v, i) => {
      const cast = /::([a-z]+(?:\[\])?)\s*$/i.exec(v)?.[1]?.toLowerCase();
      const column = columnOf(table, columns[i]);
      if (!cast || !column) return;
      const expected = CAST_TYPES[cast];
      if (!expected) problems.push(`${table}.${columns[i]}: unknown cast ::${cast}`);
      else if (!expected.includes(column.type))
        problems.push(`${table}.${columns[i]} is ${column.type}, but the statement casts to ${cast}`);
    });
  }
  return problems;
}

describe('raw SQL against schema.prisma', () => {
  for (const [name, sql] of Object.entries(STATEMENTS))
    it(`${name}: names only tables and columns that exist, with matching types`, () => {
      expect(checkStatement(sql, schema)).toEqual([]);
    });

  it('catches a renamed column, a missing table and a wrong type (the check is not vacuous)', () => {
    expect(checkStatement(CONSENT_CREATE_SQL.replace('from_party', 'from_partie'), schema)).toContain(
      'consent_requests.from_partie is not in schema.prisma',
    );
    expect(
      checkStatement(NUMBERING_SQL.replace('UPDATE consent_events', 'UPDATE consent_event'), schema),
    ).toContain('table consent_event is not in schema.prisma');
    expect(checkStatement(CONSENT_CREATE_SQL.replace('$7::jsonb', '$7::text'), schema)).toContain(
      'consent_requests.consent_rights is jsonb, but the statement casts to text',
    );
    expect(checkStatement(CLAIM_SQL.replace('$3::timestamptz', '$3::text'), schema)).toContain(
      'gateway_one_time_claims.expires_at is timestamp(3) with time zone, but the statement casts to text',
    );
    expect(checkStatement(NUMBERING_SQL.replace('e.consent_request_id', 'e.consent_id'), schema)).toContain(
      'consent_events.consent_id is not in schema.prisma',
    );
  });
});
