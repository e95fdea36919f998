import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_ORG } from '../factories/registry.js';
import type { TestApp } from '../helpers/app.js';
import { appBehindRelay, type AppBehindRelay, type CuttableRelay } from '../helpers/cuttable-relay.js';
import { bearer } from '../helpers/tokens.js';

describe('database outage', () => {
  let env: AppBehindRelay;
  let relay: CuttableRelay;
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    env = await appBehindRelay();
    ({ relay, t } = env);
    admin = await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
  });

  afterAll(async () => {
    await env?.close();
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
