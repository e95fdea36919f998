/**
 * OpenTelemetry (docs/operations.md, "Tracing"): with OTEL_EXPORTER_OTLP_ENDPOINT set, spans go
 * through the SDK's OTLP/HTTP exporter to a collector — here a fake one decoding the JSON
 * encoding. The server span continues the caller's traceparent and is the span the problem body
 * names; the gateway's checks and its upstream call are its children, the upstream's parent is
 * the client span, database work has spans, and no token or Authorization value is in any span.
 * (Tracing off — nothing exported, no OpenTelemetry module loaded — is tracing-off.e2e-spec.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { bearer } from '../helpers/tokens.js';
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
import { ADMIN_ORG } from '../factories/registry.js';

const SERVER = 2;
const CLIENT = 3;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;
const EXPORT_KEY = 'collector-api-key-0451';

let t: TestApp;
let receiver: OtlpReceiver;
let upstream: Upstream;
let world: GatewayWorld;
let api: string;
let adminAuth: string;
/** Every bearer token the tests sent: none may appear in a span. */
const sentTokens: string[] = [];
/** The identity numbers of the people whose consents were used: not in spans either. */
const personNumbers: string[] = [];

const newTraceId = () => randomBytes(16).toString('hex');
const newSpanId = () => randomBytes(8).toString('hex');

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  t = await createTestApp({
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: `x-api-key=${EXPORT_KEY}`,
      OTEL_SERVICE_NAME: 'consent-gateway-e2e',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    },
  });
  upstream = await startUpstream();
  world = await gatewayWorld(t);
  api = await registerApi(t, world, { upstreamUrl: `${upstream.url}/base` });
  adminAuth = await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
  sentTokens.push(adminAuth.replace(/^Bearer /, ''));
});

afterAll(async () => {
  await t?.close();
  await upstream?.close();
  await receiver?.close();
});

/** The spans of a trace, once `until` holds for them (the batch processor exports every 50 ms). */
async function spansOf(traceId: string, until: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  for (let i = 0; i < 200; i++) {
    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    if (until(spans)) return spans;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(
    `trace ${traceId}: got ${receiver.spans
      .filter((s) => s.traceId === traceId)
      .map((s) => s.name)
      .join(', ')}`,
  );
}

describe('the HTTP server span', () => {
  it("continues the caller's traceparent and is the span the problem body names", async () => {
    const trace = newTraceId();
    const parent = newSpanId();
    const res = await fetch(`${t.url}/admin/v1/owners`, {
      headers: { traceparent: `00-${trace}-${parent}-01` },
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { traceId: string; code: string };
    const [, bodyTrace, bodySpan] = TRACEPARENT.exec(body.traceId)!;
    expect(bodyTrace).toBe(trace);

    const [server] = await spansOf(trace, (s) => s.some((x) => x.kind === SERVER));
    expect(server).toMatchObject({
      spanId: bodySpan,
      parentSpanId: parent,
      name: 'GET /admin/v1/owners',
      serviceName: 'consent-gateway-e2e',
    });
    expect(server.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/admin/v1/owners',
      'http.response.status_code': 401,
      'consentgw.problem_code': body.code,
      'consentgw.refusal_reason': 'missing',
    });
    expect(receiver.exports[0].path).toBe('/v1/traces');
    expect(receiver.exports[0].headers['x-api-key']).toBe(EXPORT_KEY);
  });

  it('starts a trace for a request that brought none, under the trace id of its problem body', async () => {
    const res = await fetch(`${t.url}/no/such/path`);
    const [, trace, span] = TRACEPARENT.exec(((await res.json()) as { traceId: string }).traceId)!;
    const [server] = await spansOf(trace, (s) => s.length > 0);
    expect(server).toMatchObject({ spanId: span, kind: SERVER });
    expect(server.parentSpanId).toBeUndefined();
  });

  it('has database spans (Prisma) under the server span', async () => {
    const trace = newTraceId();
    const res = await fetch(`${t.url}/admin/v1/owners/${world.owner.orgcode}`, {
      headers: { authorization: adminAuth, traceparent: `00-${trace}-${newSpanId()}-01` },
    });
    expect(res.status).toBe(200);
    const spans = await spansOf(
      trace,
      (s) => s.some((x) => x.kind === SERVER) && s.some((x) => x.name === 'prisma:client:db_query'),
    );
    const server = spans.find((s) => s.kind === SERVER)!;
    expect(server.name).toBe('GET /admin/v1/owners/:orgcode');
    const operation = spans.find((s) => s.name === 'prisma:client:operation')!;
    expect(operation.parentSpanId).toBe(server.spanId);
    expect(spans.find((s) => s.name === 'prisma:client:db_query')!.attributes['db.query.text']).toMatch(
      /SELECT/,
    );
  });
});

describe('a gateway call', () => {
  it('has the checks and the upstream call as spans; the upstream’s parent is the client span', async () => {
    const consent = await acceptedConsent(t, world);
    const auth = await consentBearer(t, world, consent);
    sentTokens.push(auth.replace(/^Bearer /, ''));
    personNumbers.push(consent.from.split(':').pop()!);
    const trace = newTraceId();
    const parent = newSpanId();
    const hitsBefore = upstream.hits.length;
    const res = await proxy(t, `/proxy/${api}/traced?x=1`, {
      auth,
      headers: { traceparent: `00-${trace}-${parent}-01` },
    });
    expect(res.status).toBe(200);
    const hit = upstream.hits[hitsBefore];

    const upstreamSpan = (s: ReceivedSpan) => s.kind === CLIENT && s.name === `GET ${api}`;
    const spans = await spansOf(
      trace,
      (s) =>
        s.some((x) => x.kind === SERVER) &&
        s.some(upstreamSpan) &&
        s.some((x) => x.name === 'gateway checks'),
    );
    const server = spans.find((s) => s.kind === SERVER)!;
    const checks = spans.find((s) => s.name === 'gateway checks')!;
    const upstreamCall = spans.find(upstreamSpan)!;
    expect(server).toMatchObject({ parentSpanId: parent, name: `GET /proxy/${api}` });
    expect(server.attributes['http.response.status_code']).toBe(200);
    expect(checks.parentSpanId).toBe(server.spanId);
    expect(checks.attributes).toMatchObject({ 'consentgw.api': api, 'consentgw.consent_id': consent.id });
    expect(upstreamCall.parentSpanId).toBe(server.spanId);
    expect(upstreamCall.attributes).toMatchObject({
      'server.address': '127.0.0.1',
      'http.response.status_code': 200,
      'consentgw.outcome': 'upstream_2xx',
    });
    expect(hit.headers.traceparent).toBe(`00-${trace}-${upstreamCall.spanId}-01`);
  });

  it('reads the consent from the database on a cache miss, inside the checks span', async () => {
    const consent = await acceptedConsent(t, world);
    const auth = await consentBearer(t, world, consent);
    sentTokens.push(auth.replace(/^Bearer /, ''));
    const trace = newTraceId();
    const res = await proxy(t, `/proxy/${api}/first`, {
      auth,
      headers: { traceparent: `00-${trace}-${newSpanId()}-01` },
    });
    expect(res.status).toBe(200);
    const spans = await spansOf(
      trace,
      (s) => s.some((x) => x.kind === SERVER) && s.some((x) => x.name.startsWith('prisma:client')),
    );
    const checks = spans.find((s) => s.name === 'gateway checks')!;
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const underChecks = (s: ReceivedSpan): boolean =>
      s.parentSpanId === checks.spanId || (!!s.parentSpanId && underChecks(byId.get(s.parentSpanId)!));
    expect(spans.filter((s) => s.name.startsWith('prisma:client') && underChecks(s)).length).toBeGreaterThan(
      0,
    );
  });

  it('records which check refused, with the refusal code', async () => {
    const trace = newTraceId();
    const res = await proxy(t, `/proxy/${api}/x`, {
      auth: 'Bearer not.a.token',
      headers: { traceparent: `00-${trace}-${newSpanId()}-01` },
    });
    expect(res.status).toBe(401);
    const spans = await spansOf(trace, (s) => s.some((x) => x.name === 'gateway checks'));
    const checks = spans.find((s) => s.name === 'gateway checks')!;
    expect(checks.attributes['consentgw.problem_code']).toBe('GW-00003');
    expect(spans.some((s) => s.kind === CLIENT && s.name === `GET ${api}`)).toBe(false);
  });
});

describe('span contents', () => {
  it('has database spans only inside a request’s trace, not for the background jobs polling the database', async () => {
    // The webhook poller (every 100 ms here) and the expiry sweep (200 ms) query all the time.
    await new Promise((r) => setTimeout(r, 600));
    await spansOf(newTraceId(), () => true);
    const prisma = receiver.spans.filter((s) => s.name.startsWith('prisma:'));
    expect(prisma.length).toBeGreaterThan(0);
    expect(prisma.filter((s) => s.parentSpanId === undefined)).toEqual([]);
  });

  it('carry no token, no Authorization value, no identity number and no query string', async () => {
    // Everything exported so far, as the collector received it.
    await spansOf(newTraceId(), () => true);
    const all = receiver.rawBodies.join('\n');
    expect(sentTokens.length).toBeGreaterThan(1);
    for (const token of sentTokens) {
      expect(all).not.toContain(token);
      for (const part of token.split('.')) expect(all).not.toContain(part);
    }
    expect(all.toLowerCase()).not.toContain('bearer');
    expect(all).not.toContain('not.a.token');
    expect(all).not.toContain('x=1');
    expect(personNumbers).toHaveLength(1);
    for (const pid of personNumbers) expect(all).not.toContain(pid);
    expect(all).not.toContain(EXPORT_KEY);
  });
});
