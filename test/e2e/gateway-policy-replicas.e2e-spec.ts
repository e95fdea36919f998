import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChangeBus } from '../../src/common/events/change-bus.js';
import { DailyCallCounter } from '../../src/gateway/daily-call-counter.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { http, sql } from '../factories/consent-fixtures.js';
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

/**
 * The resource policy at the gateway with two replicas on one database: `callsPerDay` is one
 * count per consent and day for both (each replica writes its calls and reads the other's every
 * second; here the tests run that sync themselves instead of waiting for the timer), and a policy
 * changed through one replica applies on the other's next call. PostgreSQL only (see
 * gateway-replicas.e2e-spec.ts).
 */

let a: TestApp;
let b: TestApp;
let upstream: Upstream;

const describeOnPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

beforeAll(async () => {
  a = await createTestApp();
  b = await createTestApp({ db: a.db, env: { PUBLIC_URL: a.config.publicUrl } });
  upstream = await startUpstream();
});

afterAll(async () => {
  await b?.close();
  await a?.close();
  await upstream?.close();
});

async function eventually(check: () => Promise<boolean>, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function setPolicy(w: GatewayWorld, policy: Record<string, unknown>): Promise<void> {
  const res = await http(
    a,
    'PUT',
    `/resourceregistry/api/v1/resource/${w.resource}/policy`,
    w.owner.auth,
    policy,
  );
  expect(res.status).toBe(200);
}

const sync = (t: TestApp) => t.app.get(DailyCallCounter).sync();

describeOnPostgres('callsPerDay across two replicas', () => {
  it('counts the calls of both replicas against one limit per consent and day', async () => {
    const w = await gatewayWorld(a);
    const api = await registerApi(a, w, { upstreamUrl: upstream.url });
    await setPolicy(w, { callsPerDay: 4 });
    const consent = await acceptedConsent(a, w);
    const auth = await consentBearer(a, w, consent);
    await eventually(async () => (await proxy(b, `/proxy/${api}/warm`, { auth })).status !== 404);
    // B's warm-up call counted (it reached the upstream): 1 of 4.
    expect((await proxy(a, `/proxy/${api}/x`, { auth })).status).toBe(200);
    expect((await proxy(a, `/proxy/${api}/x`, { auth })).status).toBe(200);
    await sync(a);
    await sync(b);
    // B now knows A's two calls: one left.
    expect((await proxy(b, `/proxy/${api}/x`, { auth })).status).toBe(200);
    const refused = await proxy(b, `/proxy/${api}/x`, { auth });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('GW-00017');
    await sync(b);
    await sync(a);
    // And A knows B's.
    const onA = await proxy(a, `/proxy/${api}/x`, { auth });
    expect(onA.status).toBe(429);
    expect(Number(onA.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    expect(upstream.hits.filter((h) => h.headers['x-consent-id'] === consent.id)).toHaveLength(4);
    const [row] = await sql(a, 'SELECT calls::int AS calls FROM gateway_daily_calls WHERE consent_id = $1', [
      consent.id,
    ]);
    expect(row.calls).toBe(4);
  });

  it('lets a consent go on through replica B as soon as the limit is raised through replica A', async () => {
    const w = await gatewayWorld(a);
    const api = await registerApi(a, w, { upstreamUrl: upstream.url });
    await setPolicy(w, { callsPerDay: 1 });
    const consent = await acceptedConsent(a, w);
    const auth = await consentBearer(a, w, consent);
    await eventually(async () => (await proxy(b, `/proxy/${api}/x`, { auth })).status === 200);
    expect((await proxy(b, `/proxy/${api}/x`, { auth })).status).toBe(429);
    await setPolicy(w, { callsPerDay: 2 });
    await eventually(async () => (await proxy(b, `/proxy/${api}/x`, { auth })).status === 200);
  });
});

describeOnPostgres('policy terms across two replicas', () => {
  it('stops a consent on replica B once the owner tightens the policy for existing consents through replica A', async () => {
    const w = await gatewayWorld(a, { consentMetadata: { inntektsaar: { optional: false } } });
    const api = await registerApi(a, w, { upstreamUrl: upstream.url });
    const consent = await acceptedConsent(a, w, { metadata: { inntektsaar: '2023' } });
    const auth = await consentBearer(a, w, consent);
    await eventually(async () => (await proxy(b, `/proxy/${api}/x`, { auth })).status === 200);
    await setPolicy(w, {
      metadataValues: { inntektsaar: { enum: ['2024'] } },
      applyToExistingConsents: true,
    });
    await eventually(async () => (await proxy(b, `/proxy/${api}/x`, { auth })).body?.code === 'GW-00018');
  });
});

describeOnPostgres('while the change listener is down', () => {
  it('reads the policy from the database on every call, so a change no notification announced still applies', async () => {
    const w = await gatewayWorld(a, { consentMetadata: { inntektsaar: { optional: false } } });
    const api = await registerApi(a, w, { upstreamUrl: upstream.url });
    await setPolicy(w, {
      metadataValues: { inntektsaar: { enum: ['2023', '2024'] } },
      applyToExistingConsents: true,
    });
    const consent = await acceptedConsent(a, w, { metadata: { inntektsaar: '2023' } });
    const auth = await consentBearer(a, w, consent);
    await eventually(async () => (await proxy(b, `/proxy/${api}/x`, { auth })).status === 200);
    const bus = b.app.get(ChangeBus);
    bus.connected = false; // as after a lost LISTEN connection
    try {
      // A change no notification announces (as if the NOTIFY was lost).
      await sql(
        a,
        `UPDATE resource_policies SET policy = jsonb_set(policy, '{metadataValues,inntektsaar,enum}', '["2024"]'),
         updated_at = now() WHERE resource_identifier = $1`,
        [w.resource],
      );
      const res = await proxy(b, `/proxy/${api}/x`, { auth });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('GW-00018');
    } finally {
      bus.connected = true;
    }
  });
});
