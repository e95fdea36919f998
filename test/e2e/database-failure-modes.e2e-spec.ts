/**
 * Every way a database can stop giving us connections (DESIGN §6, §11 "database unavailable"),
 * produced for real on PostgreSQL: connections refused (`ALLOW_CONNECTIONS false`, SQLSTATE
 * 55000), sessions terminated (`pg_terminate_backend`, 57P01, a query in flight), too many
 * connections (a per-role limit, 53300) and the network cut (a relay that stops). Each time:
 * admin writes, gateway calls and readiness answer 503 with Retry-After and problem+json —
 * never 500 — nothing is written, the app makes a bounded number of connection attempts instead
 * of one per call (the circuit), and everything recovers without a restart.
 *
 * The app connects as a role without superuser rights (superusers ignore connection limits),
 * through a TCP relay that counts its connection attempts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { CuttableRelay } from '../helpers/cuttable-relay.js';
import { createTestDatabase, withDatabase } from '../helpers/database.js';
import { bearer } from '../helpers/tokens.js';
import { ADMIN_ORG } from '../factories/registry.js';
import { orgNumber, uniqueCode } from '../factories/orgs.js';
import {
  acceptedConsent,
  consentBearer,
  gatewayWorld,
  proxy,
  registerApi,
  startUpstream,
  type GatewayWorld,
  type Upstream,
} from '../factories/gateway-fixtures.js';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';
import { isDatabaseUnavailable } from '../../src/prisma/database-unavailable.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { toDomainError } from '../../src/common/errors/problem-details.filter.js';

const describeOnPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

describeOnPostgres('database failure modes', () => {
  const base = process.env.TEST_DATABASE_URL!;
  const role = `consentgw_app_${randomBytes(4).toString('hex')}`;
  let db: DatabaseConnection;
  let dbName: string;
  let relay: CuttableRelay;
  let t: TestApp;
  let upstream: Upstream;
  let world: GatewayWorld;
  let api: string;
  let adminAuth: string;

  /** A superuser statement on the server (not through the relay, not as the app's role). */
  async function su(sql: string, database = 'postgres'): Promise<pg.QueryResult> {
    const c = new pg.Client({ connectionString: withDatabase(base, database) });
    await c.connect();
    try {
      return await c.query(sql);
    } finally {
      await c.end();
    }
  }

  const terminateAppSessions = () =>
    su(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${role}'`);

  beforeAll(async () => {
    db = await createTestDatabase();
    dbName = new URL(db.url).pathname.slice(1);
    await su(`CREATE ROLE ${role} LOGIN`);
    await su(
      `GRANT CONNECT ON DATABASE "${dbName}" TO ${role};
       GRANT USAGE ON SCHEMA public TO ${role};
       GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role};
       GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${role};`,
      dbName,
    );
    const target = new URL(db.url);
    relay = new CuttableRelay(target.hostname, Number(target.port || 5432));
    await relay.start();
    const viaRelay = new URL(db.url);
    viaRelay.host = `127.0.0.1:${relay.port}`;
    viaRelay.username = role;
    viaRelay.password = '';
    t = await createTestApp({ db: { ...db, url: viaRelay.toString(), stop: async () => undefined } });
    upstream = await startUpstream();
    world = await gatewayWorld(t);
    api = await registerApi(t, world, { upstreamUrl: `${upstream.url}/base` });
    adminAuth = await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
  });

  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await upstream?.close();
    await relay?.cut().catch(() => undefined);
    await db?.stop();
    await su(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  });

  /** An owner write; its org code, to check afterwards that nothing was stored. */
  async function ownerWrite(): Promise<{
    status: number;
    headers: Headers;
    body: Record<string, unknown>;
    code: string;
  }> {
    const code = uniqueCode('o').slice(0, 20);
    const res = await fetch(`${t.url}/admin/v1/owners/${code}`, {
      method: 'PUT',
      headers: { authorization: adminAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ orgNumber: orgNumber(), name: { nb: 'Etat', nn: 'Etat', en: 'Agency' } }),
    });
    return {
      status: res.status,
      headers: res.headers,
      body: (await res.json()) as Record<string, unknown>,
      code,
    };
  }

  async function ownersStored(codes: string[]): Promise<number> {
    const list = codes.map((c) => `'${c}'`).join(',');
    return Number(
      (await su(`SELECT count(*)::int AS n FROM owners WHERE orgcode IN (${list})`, dbName)).rows[0].n,
    );
  }

  /** Tokens for consents the gateway has never seen (so it must read the database). */
  async function unseenConsentTokens(n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await consentBearer(t, world, await acceptedConsent(t, world)));
    return out;
  }

  function expect503(res: { status: number; headers: Headers; body: unknown }, code: string): void {
    expect({ status: res.status, code: (res.body as { code?: string })?.code }).toEqual({
      status: 503,
      code,
    });
    expect(res.headers.get('retry-after')).toMatch(/^[1-5]$/);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(res.body)).not.toMatch(
      /ECONNREFUSED|127\.0\.0\.1|55000|53300|57P01|SELECT|INSERT|\.ts:/,
    );
  }

  /**
   * `start` an outage; while it lasts writes, gateway calls and readiness are 503, nothing is
   * stored, and the connection attempts stay bounded. Then `restore` and wait for recovery.
   */
  async function duringOutage(start: () => Promise<unknown>, restore: () => Promise<unknown>): Promise<void> {
    const tokens = await unseenConsentTokens(6);
    await start();
    await new Promise((r) => setTimeout(r, 200)); // the app's sessions are gone
    const attemptsBefore = relay.connections;
    const writes: string[] = [];
    for (let round = 0; round < 6; round++) {
      const w = await ownerWrite();
      writes.push(w.code);
      expect503(w, 'STD-00503');
      expect503(await proxy(t, `/proxy/${api}/x`, { auth: tokens[round] }), 'GW-00015');
      const ready = await fetch(`${t.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBeTruthy();
      await new Promise((r) => setTimeout(r, 50));
    }
    // 18 refused calls (and every background loop meanwhile) cost a few probes, not one
    // connection attempt each.
    expect(relay.connections - attemptsBefore).toBeLessThanOrEqual(6);
    expect(upstream.hits.filter((h) => h.url.startsWith('/base/x'))).toHaveLength(0);

    await restore();
    let status = 0;
    for (let i = 0; i < 80 && status !== 200; i++) {
      status = (await proxy(t, `/proxy/${api}/x`, { auth: tokens[0] })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    expect((await ownerWrite()).status).toBe(201);
    expect((await fetch(`${t.url}/health/ready`)).status).toBe(200);
    expect(await ownersStored(writes)).toBe(0);
    upstream.hits.length = 0;
  }

  it('answers 503 while connections are refused (ALLOW_CONNECTIONS false, 55000) and recovers', async () => {
    expect((await ownerWrite()).status).toBe(201);
    await duringOutage(
      async () => {
        await su(`ALTER DATABASE "${dbName}" ALLOW_CONNECTIONS false`);
        await terminateAppSessions(); // the pools must open new connections now
      },
      () => su(`ALTER DATABASE "${dbName}" ALLOW_CONNECTIONS true`),
    );
  });

  it('answers 503 while there are too many connections (a role limit, 53300) and recovers', async () => {
    await duringOutage(
      async () => {
        await su(`ALTER ROLE ${role} CONNECTION LIMIT 0`);
        await terminateAppSessions();
      },
      () => su(`ALTER ROLE ${role} CONNECTION LIMIT -1`),
    );
  });

  it('answers 503 while the network is cut (the relay stops) and recovers', async () => {
    const tokens = await unseenConsentTokens(3);
    await relay.cut();
    for (const auth of tokens) expect503(await proxy(t, `/proxy/${api}/x`, { auth }), 'GW-00015');
    const w = await ownerWrite();
    expect503(w, 'STD-00503');
    await relay.start(relay.port);
    let status = 0;
    for (let i = 0; i < 80 && status !== 200; i++) {
      status = (await proxy(t, `/proxy/${api}/x`, { auth: tokens[0] })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    expect(await ownersStored([w.code])).toBe(0);
  });

  it('classifies a real 57P01 (a session terminated mid-query, through Prisma) as unavailable: 503', async () => {
    const prisma = t.app.get(PrismaService);
    const marker = `w17-${randomBytes(4).toString('hex')}`;
    const slow = prisma.$queryRawUnsafe(`SELECT pg_sleep(10), '${marker}'`).then(
      () => null,
      (err: unknown) => err,
    );
    for (let i = 0; i < 100; i++) {
      const { rows } = await su(
        `SELECT pid FROM pg_stat_activity WHERE query LIKE '%${marker}%' AND pid <> pg_backend_pid()`,
      );
      if (rows.length) {
        await su(`SELECT pg_terminate_backend(${rows[0].pid as number})`);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const err = await slow;
    expect(err).not.toBeNull();
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(toDomainError(err)).toMatchObject({
      status: 503,
      code: 'STD-00503',
      headers: { 'Retry-After': '5' },
    });
    // Terminated sessions are not an outage: the next query connects at once.
    await expect(prisma.$queryRawUnsafe('SELECT 1')).resolves.toBeDefined();
  });

  it('answers calls whose sessions are terminated mid-flight with 503 (never 500), and the next calls work', async () => {
    const tokens = await unseenConsentTokens(3);
    const admin = `${t.url}/admin/v1/owners`;
    // Fill the pool with idle connections, so the calls below take existing sessions.
    await Promise.all(
      Array.from({ length: 5 }, () => fetch(admin, { headers: { authorization: adminAuth } })),
    );
    relay.hold(); // the app's next queries wait in the relay…
    const calls = [
      ...tokens.map((auth) => proxy(t, `/proxy/${api}/x`, { auth })),
      ...[0, 1, 2].map(async () => {
        const res = await fetch(admin, { headers: { authorization: adminAuth } });
        return { status: res.status, headers: res.headers, body: (await res.json()) as { code?: string } };
      }),
    ];
    await new Promise((r) => setTimeout(r, 300));
    await terminateAppSessions(); // …and PostgreSQL ends their sessions: FATAL 57P01 comes back
    await new Promise((r) => setTimeout(r, 100));
    relay.release();
    const answers = await Promise.all(calls);
    // A call whose query was held in a terminated session gets 503; one the pool gave a new
    // connection (all of its sessions were busy) succeeds. Never a 500.
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused.length).toBeGreaterThan(0);
    for (const a of refused) expect503(a, a.body?.code === 'GW-00015' ? 'GW-00015' : 'STD-00503');
    expect((await proxy(t, `/proxy/${api}/x`, { auth: tokens[0] })).status).toBe(200);
    expect((await fetch(admin, { headers: { authorization: adminAuth } })).status).toBe(200);
  });
});
