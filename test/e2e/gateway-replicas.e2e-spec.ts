import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChangeBus } from '../../src/common/events/change-bus.js';
import { ConsentsService } from '../../src/consents/consents.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { problemBody, sql } from '../factories/consent-fixtures.js';
import {
  acceptedConsent,
  accessListAuth,
  accessListWith,
  consentBearer,
  gatewayWorld,
  orgUrnOf,
  proxy,
  registerApi,
  startUpstream,
  type GatewayWorld,
  type Upstream,
} from '../factories/gateway-fixtures.js';

/**
 * Two app instances on one database behave like two replicas (DESIGN §2, §4.9): revocation,
 * one-time use, access-list and API changes made through one take effect on the next request
 * through the other; while the NOTIFY listener is down the gateway reads the database instead.
 */

let a: TestApp;
let b: TestApp;
let upstream: Upstream;
let world: GatewayWorld;
let api: string;

beforeAll(async () => {
  a = await createTestApp();
  // Replicas behind one load balancer share the public URL (so the issuer) and the database (so the keys).
  b = await createTestApp({ db: a.db, env: { PUBLIC_URL: a.config.publicUrl } });
  upstream = await startUpstream();
  world = await gatewayWorld(a);
  api = await registerApi(a, world, { upstreamUrl: upstream.url });
});

afterAll(async () => {
  await b?.close();
  await a?.close();
  await upstream?.close();
});

/**
 * Two replicas need two connection pools on one database. PGlite's socket server interleaves
 * queries of concurrent connections (pglite-socket 0.2.17), and embedded mode is a single
 * process by design, so the multi-replica guarantees are tested on PostgreSQL only.
 */
const describeOnPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

const pidOf = (urn: string) => urn.split(':').pop()!;

async function eventually(check: () => Promise<boolean>, ms = 1000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describeOnPostgres('revocation across replicas', () => {
  it('refuses on replica B the next request after the consent was revoked through replica A', async () => {
    const consent = await acceptedConsent(a, world);
    const auth = await consentBearer(a, world, consent);
    // Both replicas have the consent cached as active.
    expect((await proxy(a, `/proxy/${api}/x`, { auth })).status).toBe(200);
    expect((await proxy(b, `/proxy/${api}/x`, { auth })).status).toBe(200);
    expect((await proxy(b, `/proxy/${api}/x`, { auth })).status).toBe(200);

    await a.app.get(ConsentsService).revoke(consent.id, { personId: pidOf(consent.from) });

    const res = await proxy(b, `/proxy/${api}/x`, { auth });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(problemBody(401, 'GW-00009', 'Unauthorized', 'The consent is revoked.'));
  });

  it('reads the database instead of the cache while the change listener is down', async () => {
    const consent = await acceptedConsent(a, world);
    const auth = await consentBearer(a, world, consent);
    expect((await proxy(b, `/proxy/${api}/x`, { auth })).status).toBe(200);
    const bus = b.app.get(ChangeBus);
    bus.connected = false; // as after a lost LISTEN connection
    try {
      // A change no notification announces (as if the NOTIFY was lost).
      await sql(a, "UPDATE consent_requests SET status = 'revoked' WHERE id = $1", [consent.id]);
      const res = await proxy(b, `/proxy/${api}/x`, { auth });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('GW-00009');
    } finally {
      bus.connected = true;
    }
  });
});

describeOnPostgres('one-time consents', () => {
  it('lets exactly one of two concurrent calls through two replicas use a one-time consent', async () => {
    const consent = await acceptedConsent(a, world, { isOneTime: true });
    const auth = await consentBearer(a, world, consent);
    const before = upstream.hits.length;
    const results = await Promise.all([
      proxy(a, `/proxy/${api}/slow/100`, { auth }),
      proxy(b, `/proxy/${api}/slow/100`, { auth }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    const refused = results.find((r) => r.status === 401)!;
    expect(refused.body.code).toBe('GW-00009');
    expect(upstream.hits.slice(before).filter((h) => h.headers['x-consent-id'] === consent.id)).toHaveLength(
      1,
    );

    const [row] = await sql(a, 'SELECT status FROM consent_requests WHERE id = $1', [consent.id]);
    expect(row.status).toBe('used');
    const [event] = await sql(
      a,
      "SELECT performed_by FROM consent_events WHERE consent_request_id = $1 AND event_type = 'used'",
      [consent.id],
    );
    expect(event.performed_by).toBe(orgUrnOf(world.consumer));

    // And it stays used on both replicas.
    for (const t of [a, b]) {
      const again = await proxy(t, `/proxy/${api}/x`, { auth });
      expect(again.status).toBe(401);
      expect(again.body).toEqual(problemBody(401, 'GW-00009', 'Unauthorized', 'The consent is used.'));
    }
    expect(
      await sql(a, 'SELECT * FROM gateway_one_time_claims WHERE consent_id = $1', [consent.id]),
    ).toHaveLength(0);
  });

  it('lets exactly one of several concurrent calls through one replica use it', async () => {
    const consent = await acceptedConsent(a, world, { isOneTime: true });
    const auth = await consentBearer(a, world, consent);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => proxy(a, `/proxy/${api}/slow/50`, { auth })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(4);
  });

  it('does not use up a one-time consent when the upstream answers with an error', async () => {
    const consent = await acceptedConsent(a, world, { isOneTime: true });
    const auth = await consentBearer(a, world, consent);
    expect((await proxy(a, `/proxy/${api}/status/503`, { auth })).status).toBe(503);
    const [row] = await sql(a, 'SELECT status FROM consent_requests WHERE id = $1', [consent.id]);
    expect(row.status).toBe('accepted');
    expect((await proxy(b, `/proxy/${api}/x`, { auth })).status).toBe(200);
    expect((await proxy(a, `/proxy/${api}/x`, { auth })).status).toBe(401);
  });

  it('lets a client retry at once after the upstream could not be reached, without using up the consent', async () => {
    const dead = await startUpstream();
    await dead.close();
    const deadApi = await registerApi(a, world, { upstreamUrl: dead.url });
    const consent = await acceptedConsent(a, world, { isOneTime: true });
    const auth = await consentBearer(a, world, consent);
    expect((await proxy(a, `/proxy/${deadApi}/x`, { auth })).status).toBe(502);
    expect((await proxy(a, `/proxy/${api}/x`, { auth })).status).toBe(200);
    expect((await proxy(a, `/proxy/${api}/x`, { auth })).status).toBe(401);
  });
});

describeOnPostgres('registry changes across replicas', () => {
  it('routes an API registered through replica A on replica B within a second, and stops after deletion', async () => {
    const name = await registerApi(a, world, { upstreamUrl: upstream.url });
    const consent = await acceptedConsent(a, world);
    const auth = await consentBearer(a, world, consent);
    await eventually(async () => (await proxy(b, `/proxy/${name}/x`, { auth })).status === 200);

    const del = await fetch(`${a.url}/admin/v1/apis/${name}`, {
      method: 'DELETE',
      headers: { authorization: world.owner.auth },
    });
    expect(del.status).toBe(204);
    expect((await proxy(a, `/proxy/${name}/x`, { auth })).status).toBe(404);
    await eventually(async () => (await proxy(b, `/proxy/${name}/x`, { auth })).status === 404);
  });

  it('applies a changed upstream on replica B within a second', async () => {
    const name = await registerApi(a, world, { upstreamUrl: `${upstream.url}/v1` });
    const consent = await acceptedConsent(a, world);
    const auth = await consentBearer(a, world, consent);
    await eventually(async () => (await proxy(b, `/proxy/${name}/x`, { auth })).body?.url === '/v1/x');
    const put = await fetch(`${a.url}/admin/v1/apis/${name}`, {
      method: 'PUT',
      headers: { authorization: world.owner.auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        upstreamUrl: `${upstream.url}/v2`,
        requiredScopes: [world.scope],
        consentResources: [world.resource],
      }),
    });
    expect(put.status).toBe(200);
    await eventually(async () => (await proxy(b, `/proxy/${name}/x`, { auth })).body?.url === '/v2/x');
  });

  it('refuses on replica B the next request after the consumer was removed from the access list through replica A', async () => {
    const listed = await gatewayWorld(a, { accessListMode: 'Enabled' });
    const list = await accessListWith(a, listed, [listed.consumer]);
    const name = await registerApi(a, listed, { upstreamUrl: upstream.url });
    const consent = await acceptedConsent(a, listed);
    const auth = await consentBearer(a, listed, consent);
    await eventually(async () => (await proxy(b, `/proxy/${name}/x`, { auth })).status === 200);

    const res = await fetch(
      `${a.url}/resourceregistry/api/v1/access-lists/${listed.owner.orgcode}/${list}/members`,
      {
        method: 'DELETE',
        headers: { authorization: await accessListAuth(a, listed), 'content-type': 'application/json' },
        body: JSON.stringify({ data: [orgUrnOf(listed.consumer)] }),
      },
    );
    expect(res.status).toBe(200);
    const refused = await proxy(b, `/proxy/${name}/x`, { auth });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('GW-00008');
  });
});

describeOnPostgres('shutdown', () => {
  it('finishes calls in flight and writes every usage count before the app stops', async () => {
    const c = await createTestApp({ db: a.db, env: { PUBLIC_URL: a.config.publicUrl } });
    const name = await registerApi(a, world, { upstreamUrl: upstream.url });
    const consent = await acceptedConsent(a, world);
    const auth = await consentBearer(a, world, consent);
    await eventually(async () => (await proxy(c, `/proxy/${name}/x`, { auth })).status === 200);
    await proxy(c, `/proxy/${name}/x`, { auth });
    const slow = proxy(c, `/proxy/${name}/slow/300`, { auth });
    await new Promise((r) => setTimeout(r, 50));
    await c.close();
    expect((await slow).status).toBe(200);
    const rows = await sql(
      a,
      "SELECT sum(count)::int AS n FROM gateway_usage WHERE api_name = $1 AND outcome = 'upstream_2xx'",
      [name],
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(3);
  });
});
