import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestApp } from '../helpers/app.js';
import { appBehindRelay, type AppBehindRelay, type CuttableRelay } from '../helpers/cuttable-relay.js';
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
import { problemBody } from '../factories/consent-fixtures.js';

/**
 * The gateway while its database is unreachable (DESIGN §4.9, §6): consent state may only be
 * served from memory while change notifications can arrive. Once the NOTIFY connection is gone
 * a revocation could be missed, so every call re-reads the database, and with the database down
 * that is 503 GW-00015 with Retry-After: closed, never open, and nothing reaches the upstream.
 * Recovery needs no restart. (Embedded PGlite has one process and no NOTIFY: its in-process
 * change bus is complete, so there the cached state stays valid.)
 */
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

describe('gateway with the database down (503 GW-00015)', () => {
  let env: AppBehindRelay;
  let relay: CuttableRelay;
  let t: TestApp;
  let upstream: Upstream;
  let world: GatewayWorld;
  let api: string;

  beforeAll(async () => {
    env = await appBehindRelay();
    ({ relay, t } = env);
    upstream = await startUpstream();
    world = await gatewayWorld(t);
    api = await registerApi(t, world, { upstreamUrl: `${upstream.url}/base` });
  });

  afterAll(async () => {
    await upstream?.close();
    await env?.close();
  });

  /** Retries `call` until it gives `status` (the NOTIFY connection notices the cut quickly). */
  async function eventually(status: number, call: () => ReturnType<typeof proxy>) {
    let res = await call();
    for (let i = 0; i < 40 && res.status !== status; i++) {
      await new Promise((r) => setTimeout(r, 100));
      res = await call();
    }
    return res;
  }

  it('refuses with 503 and Retry-After when it must read the database, and recovers without a restart', async () => {
    const cachedConsent = await acceptedConsent(t, world);
    const cached = await consentBearer(t, world, cachedConsent);
    const unseen = await consentBearer(t, world, await acceptedConsent(t, world));
    const path = `/proxy/${api}/income`;

    // Warm: the first consent's state is now in the gateway's memory.
    expect((await proxy(t, path, { auth: cached })).status).toBe(200);
    expect((await proxy(t, path, { auth: cached })).status).toBe(200);

    await relay.cut();
    const never = await eventually(503, () => proxy(t, path, { auth: unseen }));
    expect(never.status).toBe(503);
    expect(never.headers.get('retry-after')).toBe('5');
    expect(never.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(never.body).toEqual(
      problemBody(
        503,
        'GW-00015',
        'Service Unavailable',
        'The consent database is unavailable; try again shortly.',
      ),
    );
    expect(JSON.stringify(never.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|SELECT|\.ts:/);

    const hitsBefore = upstream.hits.length;
    if (onPostgres) {
      // Another replica's revocation could now be missed: the cached consent is refused too.
      const down = await eventually(503, () => proxy(t, path, { auth: cached }));
      expect(down.status).toBe(503);
      expect(down.body.code).toBe('GW-00015');
      const seen = upstream.hits.length;
      expect((await proxy(t, path, { auth: cached })).status).toBe(503);
      expect(upstream.hits.length).toBe(seen);
    } else {
      // Embedded: one process owns the database and sees every change in-process, so its
      // memory stays authoritative.
      expect((await proxy(t, path, { auth: cached })).status).toBe(200);
    }
    const passedWhileDown = upstream.hits.length - hitsBefore;

    // Checks that need no database still answer with their own codes.
    expect((await proxy(t, `/proxy/${api}/income`)).body.code).toBe('GW-00003');
    expect((await proxy(t, '/proxy/no-such-api/x', { auth: cached })).status).toBe(404);

    await relay.start(relay.port);
    const back = await eventually(200, () => proxy(t, path, { auth: cached }));
    expect(back.status).toBe(200);
    expect((await proxy(t, path, { auth: unseen })).status).toBe(200);
    expect(upstream.hits.length).toBe(hitsBefore + passedWhileDown + 2);
  });
});
