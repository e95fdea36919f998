/**
 * A database too busy to serve a write in time answers 503 + Retry-After, never 500 (DESIGN §11;
 * the 4 × 500 once seen in access-lists-load.e2e-spec.ts under load). Reproduced without load: the
 * test database gets a short `lock_timeout`, a second connection holds the access list's row
 * lock, and a member write that must take that lock gives up with SQLSTATE 55P03. Once the lock is
 * released the same write goes through, and the refused one left nothing behind.
 * PostgreSQL only (row locks across connections; PGlite serialises its connections).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { Scopes } from '../../src/common/auth/scopes.js';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';
import { createResource, registerOwner, resourceBody, type TestOwner } from '../factories/registry.js';
import { DEFAULT_LOCK_TIMEOUT_MS, PrismaService } from '../../src/prisma/prisma.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { bearer } from '../helpers/tokens.js';

const onPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;
const BASE = '/resourceregistry/api/v1/access-lists';
const MEMBER = 'urn:altinn:organization:identifier-no:991825827';

onPostgres('a lock wait past lock_timeout (55P03)', () => {
  let db: DatabaseConnection;
  let t: TestApp;
  let owner: TestOwner;
  let auth: string;
  let holder: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const name = (await admin.query<{ name: string }>('SELECT current_database() AS name')).rows[0].name;
    // Every session the app opens from now on gives up on a lock after 300 ms (a setting, not a
    // timed assertion: the test waits for the answer, whatever it takes).
    await admin.query(`ALTER DATABASE "${name}" SET lock_timeout = '300ms'`);
    await admin.end();
    t = await createTestApp({ db });
    owner = await registerOwner(t);
    auth = await bearer(t, { org: owner.orgNumber, scope: [Scopes.accessListWrite, Scopes.accessListRead] });
    const created = await fetch(`${t.url}${BASE}/${owner.orgcode}/busy`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Busy' }),
    });
    expect(created.status).toBe(201);
    holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
  });

  afterAll(async () => {
    await holder?.end();
    await t?.close();
    await db?.stop();
  });

  const addMember = () =>
    fetch(`${t.url}${BASE}/${owner.orgcode}/busy/members`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ data: [MEMBER] }),
    });

  it("keeps the database's own lock_timeout (a DBA's setting wins over the service's default)", async () => {
    const [row] = await t.app.get(PrismaService).$queryRaw<
      Array<{ lock_timeout: string }>
    >`SHOW lock_timeout`;
    expect(row.lock_timeout).toBe('300ms');
  });

  it('answers 503 problem+json with Retry-After while another transaction holds the list, then succeeds', async () => {
    await holder.query('BEGIN');
    await holder.query("SELECT id FROM access_lists WHERE owner = $1 AND identifier = 'busy' FOR UPDATE", [
      owner.orgcode,
    ]);
    const refused = await addMember();
    const problem = (await refused.json()) as Record<string, unknown>;
    await holder.query('ROLLBACK');
    expect({
      status: refused.status,
      contentType: refused.headers.get('content-type'),
      retryAfter: refused.headers.get('retry-after'),
      code: problem.code,
      detail: problem.detail,
    }).toEqual({
      status: 503,
      contentType: expect.stringContaining('application/problem+json'),
      retryAfter: '1',
      code: 'STD-00503',
      detail: 'The database is busy; try again shortly.',
    });
    // Nothing half-written: the member is not there, and the retry adds it once.
    const before = await fetch(`${t.url}${BASE}/${owner.orgcode}/busy/members`, {
      headers: { authorization: auth },
    });
    expect(((await before.json()) as { data: unknown[] }).data).toEqual([]);
    expect((await addMember()).status).toBe(200);
    const after = await fetch(`${t.url}${BASE}/${owner.orgcode}/busy/members`, {
      headers: { authorization: auth },
    });
    expect(((await after.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id)).toEqual([MEMBER]);
  });
});

/**
 * Red team RT4-6 (N2): with no lock_timeout anywhere, a resource PUT queued behind a row lock held
 * for minutes waited out the 20 s transaction timeout, and 25 of them held every pooled
 * connection. The service now sets a default lock_timeout (DEFAULT_LOCK_TIMEOUT_MS) on its
 * sessions: the PUT gives up with 503 + Retry-After and the connection is free again.
 */
onPostgres('a lock held longer than the default lock_timeout, no database setting', () => {
  let db: DatabaseConnection;
  let t: TestApp;
  let owner: TestOwner;
  let holder: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp({ db });
    owner = await registerOwner(t);
    holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
  });

  afterAll(async () => {
    await holder?.end();
    await t?.close();
    await db?.stop();
  });

  it('gives every session of the service the default lock_timeout', async () => {
    const [row] = await t.app.get(PrismaService).$queryRaw<
      Array<{ lock_timeout: string }>
    >`SHOW lock_timeout`;
    expect(row.lock_timeout).toBe(`${DEFAULT_LOCK_TIMEOUT_MS / 1000}s`);
  });

  it('a resource PUT behind a held row lock answers 503 with Retry-After, the resource unchanged, reads still served', async () => {
    const created = await createResource(t, owner);
    const url = `${t.url}/resourceregistry/api/v1/resource/${created.identifier}`;
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM resources WHERE identifier = $1 FOR UPDATE', [created.identifier]);
    const put = fetch(url, {
      method: 'PUT',
      headers: { authorization: owner.auth, 'content-type': 'application/json' },
      body: JSON.stringify(resourceBody(owner, { identifier: created.identifier, isOneTimeConsent: true })),
    });
    // While the PUT waits for the lock, a read on another connection of the pool is answered.
    const read = await fetch(url, { headers: { authorization: owner.auth } });
    expect(read.status).toBe(200);
    const refused = await put;
    await holder.query('ROLLBACK');
    expect({ status: refused.status, retryAfter: refused.headers.get('retry-after') }).toEqual({
      status: 503,
      retryAfter: '1',
    });
    expect(((await refused.json()) as { code: string }).code).toBe('STD-00503');
    const after = (await (await fetch(url, { headers: { authorization: owner.auth } })).json()) as {
      isOneTimeConsent: boolean;
      versionId: string;
    };
    expect({ isOneTimeConsent: after.isOneTimeConsent, versionId: after.versionId }).toEqual({
      isOneTimeConsent: false,
      versionId: created.versionId,
    });
  });
});
