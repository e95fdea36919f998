import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_ORG } from '../factories/registry.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { CuttableRelay } from '../helpers/cuttable-relay.js';
import { bearer } from '../helpers/tokens.js';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';

describe('database outage', () => {
  let db: DatabaseConnection;
  let relay: CuttableRelay;
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url);
    relay = new CuttableRelay(target.hostname, Number(target.port || 5432));
    await relay.start();
    const viaRelay = new URL(db.url);
    viaRelay.host = `127.0.0.1:${relay.port}`;
    t = await createTestApp({ db: { ...db, url: viaRelay.toString(), stop: async () => undefined } });
    admin = await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
  });

  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await relay?.cut().catch(() => undefined);
    await db?.stop();
  });

  it('answers 503 with Retry-After while the database is down and recovers without a restart', async () => {
    const ok = await fetch(`${t.url}/admin/v1/owners`, { headers: { authorization: admin } });
    expect(ok.status).toBe(200);

    await relay.cut();
    const down = await fetch(`${t.url}/admin/v1/owners`, { headers: { authorization: admin } });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBeTruthy();
    expect(down.headers.get('content-type')).toContain('application/problem+json');
    const body = (await down.json()) as Record<string, unknown>;
    expect(body.status).toBe(503);
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|at .*\.ts|SELECT/);

    const notReady = await fetch(`${t.url}/health/ready`);
    expect(notReady.status).toBe(503);
    const live = await fetch(`${t.url}/health/live`);
    expect(live.status).toBe(200);

    await relay.start(relay.port);
    let recovered = 0;
    for (let i = 0; i < 50 && recovered !== 200; i++) {
      recovered = (await fetch(`${t.url}/admin/v1/owners`, { headers: { authorization: admin } })).status;
      if (recovered !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(recovered).toBe(200);
    expect((await fetch(`${t.url}/health/ready`)).status).toBe(200);
  });
});
