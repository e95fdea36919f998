import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { startDataPlane, type DataPlane } from '../../src/data-plane/start-data-plane.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { ensureBuilt, runNode, serviceEnv, spawnNode, waitFor } from '../helpers/processes.js';
import { problemBody } from '../factories/consent-fixtures.js';
import { ADMIN_ORG } from '../factories/registry.js';
import { bearer } from '../helpers/tokens.js';
import {
  acceptedConsent,
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
 * The data plane (`dist/gateway-main.js`, src/data-plane/) next to the all-in-one service as its
 * control plane, on one PostgreSQL database (issue 22): it enforces what the control plane
 * configures, answers the same problems, hears the control plane's changes through NOTIFY, and
 * drains on shutdown. Embedded PGlite delivers NOTIFY to no other process, so the data plane
 * needs PostgreSQL; without it only the refusal to start is tested.
 */
const describeOnPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

/** The data plane as the fixtures' `proxy` wants it: only the URL is used. */
const asTarget = (dp: DataPlane) => ({ url: dp.url }) as TestApp;

/** Waits for a change to arrive by NOTIFY (bounded; a wait for an event, not a timed assertion). */
async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The settings a data plane runs with next to `control`: its database and public URL (the issuer). */
function dataPlaneEnv(control: TestApp): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    PUBLIC_URL: control.config.publicUrl,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  };
}

describe('the data plane without DATABASE_URL', () => {
  beforeAll(() => ensureBuilt(), 300_000);

  it('exits 1 with one line naming DATABASE_URL, no stack trace, and starts no embedded database', async () => {
    const { code, stderr, stdout } = await runNode('dist/gateway-main.js', [], serviceEnv({ PORT: '0' }));
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: DATABASE_URL is required by the data plane/);
    expect(lines[0]).toContain('NOTIFY');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).not.toMatch(/PGlite|embedded/i);
  });
});

describeOnPostgres('the data plane next to the service (control plane)', () => {
  let control: TestApp;
  let dp: DataPlane;
  let upstream: Upstream;
  let world: GatewayWorld;
  let api: string;

  beforeAll(async () => {
    control = await createTestApp();
    dp = await startDataPlane({ env: dataPlaneEnv(control), database: control.db, logger: false });
    upstream = await startUpstream();
    world = await gatewayWorld(control);
    api = await registerApi(control, world, { upstreamUrl: upstream.url });
  });

  afterAll(async () => {
    await dp?.close();
    await control?.close();
    await upstream?.close();
  });

  it('proxies a call with the verified consent as X-Consent-* headers', async () => {
    const consent = await acceptedConsent(control, world);
    const auth = await consentBearer(control, world, consent);
    const res = await proxy(asTarget(dp), `/proxy/${api}/income/2024?x=1`, { auth });
    expect(res.status).toBe(200);
    const hit = upstream.hits.at(-1)!;
    expect(hit.url).toBe('/income/2024?x=1');
    expect(hit.headers).toMatchObject({
      'x-consent-id': consent.id,
      'x-consent-from': consent.from,
      'x-consent-to': orgUrnOf(world.consumer),
    });
    expect(hit.headers.authorization).toBeUndefined();
  });

  it('refuses as the service does: 401 without or with a bad token, 403 without the scope, 404 for no API', async () => {
    const consent = await acceptedConsent(control, world);
    const noScope = await consentBearer(control, world, consent, { scope: 'other:scope' });
    const cases: Array<[string, { auth?: string }, number, string]> = [
      [`/proxy/${api}/x`, {}, 401, 'GW-00003'],
      [`/proxy/${api}/x`, { auth: 'Bearer not.a.token' }, 401, 'GW-00003'],
      [`/proxy/${api}/x`, { auth: noScope }, 403, 'GW-00004'],
      ['/proxy/no-such-api/x', { auth: noScope }, 404, 'GW-00001'],
    ];
    for (const [path, o, status, code] of cases) {
      const fromDataPlane = await proxy(asTarget(dp), path, o);
      const fromService = await proxy(control, path, o);
      expect([path, fromDataPlane.status, fromDataPlane.body?.code]).toEqual([path, status, code]);
      expect(fromDataPlane.headers.get('content-type')).toBe('application/problem+json');
      // The same problem, word for word (each answer has its own traceId).
      expect(fromDataPlane.body).toEqual({ ...fromService.body, traceId: expect.any(String) });
    }
  });

  it('refuses a consent revoked through the control plane’s admin API on the next calls', async () => {
    const consent = await acceptedConsent(control, world);
    const auth = await consentBearer(control, world, consent);
    expect((await proxy(asTarget(dp), `/proxy/${api}/x`, { auth })).status).toBe(200);
    expect((await proxy(asTarget(dp), `/proxy/${api}/x`, { auth })).status).toBe(200); // cached now

    // As the platform operator (the fixture's consent row names no owner organisation).
    const operator = await bearer(control, { org: ADMIN_ORG, scope: 'consentgw:admin' });
    const revoked = await fetch(`${control.url}/admin/v1/consents/${consent.id}/revoke`, {
      method: 'POST',
      headers: { authorization: operator, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'Avtalen er avsluttet.' }),
    });
    expect(revoked.status).toBe(200);

    await eventually(async () => (await proxy(asTarget(dp), `/proxy/${api}/x`, { auth })).status === 401);
    const res = await proxy(asTarget(dp), `/proxy/${api}/x`, { auth });
    expect(res.body).toEqual(problemBody(401, 'GW-00009', 'Unauthorized', 'The consent is revoked.'));
  });

  it('stops routing an API the control plane removed, and routes one it added', async () => {
    const consent = await acceptedConsent(control, world);
    const auth = await consentBearer(control, world, consent);
    const added = await registerApi(control, world, { upstreamUrl: upstream.url });
    await eventually(async () => (await proxy(asTarget(dp), `/proxy/${added}/x`, { auth })).status === 200);

    const removed = await fetch(`${control.url}/admin/v1/apis/${added}`, {
      method: 'DELETE',
      headers: { authorization: world.owner.auth },
    });
    expect(removed.status).toBe(204);
    await eventually(async () => (await proxy(asTarget(dp), `/proxy/${added}/x`, { auth })).status === 404);
    expect((await proxy(asTarget(dp), `/proxy/${added}/x`, { auth })).body.code).toBe('GW-00001');
  });

  it('answers /health/live, /health/ready and /metrics, and nothing else', async () => {
    const live = await fetch(`${dp.url}/health/live`);
    expect([live.status, await live.json()]).toEqual([200, { status: 'ok' }]);

    const ready = await fetch(`${dp.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' } },
      details: { database: { status: 'up' }, issuers: { status: expect.any(String) } },
      degraded: expect.any(Boolean),
    });

    const metrics = await fetch(`${dp.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await metrics.text();
    expect(text).toMatch(
      new RegExp(`^gateway_requests_total\\{api="${api}",outcome="upstream_2xx"\\} \\d+`, 'm'),
    );
    expect(text).toContain('token_verify_seconds');

    for (const path of ['/docs', '/consent/active', '/admin/v1/apis', '/metricsx']) {
      const res = await fetch(`${dp.url}${path}`, { headers: { authorization: world.owner.auth } });
      expect([path, res.status, res.headers.get('content-type')]).toEqual([
        path,
        404,
        'application/problem+json',
      ]);
    }
    const post = await fetch(`${dp.url}/health/live`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('traces a call like the service: server span, the checks inside it, the upstream call', async () => {
    const receiver = await startOtlpReceiver();
    const traced = await startDataPlane({
      env: {
        ...dataPlaneEnv(control),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'consent-gateway-data-plane-e2e',
        OTEL_BSP_SCHEDULE_DELAY: '50',
      },
      database: control.db,
      logger: false,
    });
    try {
      const consent = await acceptedConsent(control, world);
      const auth = await consentBearer(control, world, consent);
      const trace = randomBytes(16).toString('hex');
      const parent = randomBytes(8).toString('hex');
      const before = upstream.hits.length;
      const res = await proxy(asTarget(traced), `/proxy/${api}/traced`, {
        auth,
        headers: { traceparent: `00-${trace}-${parent}-01` },
      });
      expect(res.status).toBe(200);
      const spans = await waitFor("the call's spans", () => {
        const s = receiver.spans.filter((x) => x.traceId === trace);
        return s.some((x) => x.kind === 2) &&
          s.some((x) => x.kind === 3 && x.name === `GET ${api}`) &&
          s.some((x) => x.name === 'gateway checks')
          ? s
          : undefined;
      });
      const server = spans.find((x) => x.kind === 2)!;
      const checks = spans.find((x) => x.name === 'gateway checks')!;
      const upstreamCall = spans.find((x) => x.kind === 3 && x.name === `GET ${api}`)!;
      expect(server).toMatchObject({
        parentSpanId: parent,
        name: `GET /proxy/${api}`,
        serviceName: 'consent-gateway-data-plane-e2e',
      });
      expect(checks.parentSpanId).toBe(server.spanId);
      expect(checks.attributes).toMatchObject({ 'consentgw.api': api, 'consentgw.consent_id': consent.id });
      expect(upstreamCall.parentSpanId).toBe(server.spanId);
      expect(upstream.hits[before].headers.traceparent).toBe(`00-${trace}-${upstreamCall.spanId}-01`);
      // No token in any exported value.
      expect(JSON.stringify(receiver.spans)).not.toContain(auth.slice('Bearer '.length));
    } finally {
      await traced.close();
      await receiver.close();
    }
  });

  it('drains a call in flight when closed, and accepts no new connections', async () => {
    const draining = await startDataPlane({
      env: dataPlaneEnv(control),
      database: control.db,
      logger: false,
    });
    const consent = await acceptedConsent(control, world);
    const auth = await consentBearer(control, world, consent);
    const before = upstream.hits.length;
    const inFlight = proxy(asTarget(draining), `/proxy/${api}/slow/400`, { auth });
    await waitFor('the call to reach the upstream', () => (upstream.hits.length > before ? true : undefined));

    const closed = draining.close();
    const res = await inFlight;
    expect(res.status).toBe(200);
    await closed;
    await expect(fetch(`${draining.url}/health/live`)).rejects.toThrow();
  });
});

describeOnPostgres('dist/gateway-main.js as a process', () => {
  let control: TestApp;
  let upstream: Upstream;

  beforeAll(async () => {
    ensureBuilt();
    control = await createTestApp();
    upstream = await startUpstream();
  }, 300_000);

  afterAll(async () => {
    await control?.close();
    await upstream?.close();
  });

  it('logs where it listens, serves the proxy, and drains an in-flight call on SIGTERM, exiting 0', async () => {
    const world = await gatewayWorld(control);
    const api = await registerApi(control, world, { upstreamUrl: upstream.url });
    const consent = await acceptedConsent(control, world);
    const auth = await consentBearer(control, world, consent);
    const dp = spawnNode(
      'dist/gateway-main.js',
      [],
      serviceEnv({
        DATABASE_URL: control.db.url,
        PUBLIC_URL: control.config.publicUrl,
        PORT: '0',
        LOG_LEVEL: 'info',
      }),
    );
    try {
      const line = await waitFor('the listening line', () =>
        dp
          .stdout()
          .split('\n')
          .find((l) => l.includes('data plane listening on')),
      );
      const { msg } = JSON.parse(line) as { msg: string };
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(msg)![1];
      expect(msg).toContain('(/proxy, /health, /metrics)');
      const target = { url } as TestApp;
      expect((await proxy(target, `/proxy/${api}/x`, { auth })).status).toBe(200);

      const before = upstream.hits.length;
      const inFlight = proxy(target, `/proxy/${api}/slow/500`, { auth });
      await waitFor('the call to reach the upstream', () =>
        upstream.hits.length > before ? true : undefined,
      );
      dp.proc.kill('SIGTERM');
      expect((await inFlight).status).toBe(200);
      expect(await dp.exited).toBe(0);
      expect(dp.stderr()).toContain('SIGTERM received, draining');
      // Tokens are never logged, not even at info.
      expect(dp.stdout()).not.toContain(auth.slice('Bearer '.length));
    } finally {
      if (dp.proc.exitCode === null) dp.proc.kill('SIGKILL');
    }
  });
});
