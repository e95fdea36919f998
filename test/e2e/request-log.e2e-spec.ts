/**
 * The request log and W3C trace context (docs/operations.md, "Logs" and "Tracing"): one line per
 * request with its documented fields, the problem body's traceId in that line, the caller's trace
 * continued and handed to the upstream under a new parent span, and never a token — whether it
 * came in a header, the query, a form or a JSON body. The app's log stream is captured as the
 * JSON lines it writes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { createTestApp, freePort, type TestApp } from '../helpers/app.js';
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
import { signAssertion, postToken, JWT_BEARER } from '../factories/token-fixtures.js';
import { tokenWorld, type TokenWorld } from '../factories/token-world.js';

type Line = Record<string, unknown> & { level: number; msg?: string };

const raw: string[] = [];
const lines = (): Line[] => raw.map((l) => JSON.parse(l) as Line);
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;

let t: TestApp;
let upstream: Upstream;
let world: GatewayWorld;
let tokens: TokenWorld;
let api: string;
let adminAuth: string;

beforeAll(async () => {
  t = await createTestApp({
    env: { LOG_LEVEL: 'debug' },
    logDestination: { write: (s: string) => void raw.push(...s.split('\n').filter(Boolean)) },
  });
  upstream = await startUpstream();
  world = await gatewayWorld(t);
  tokens = await tokenWorld(t);
  api = await registerApi(t, world, { upstreamUrl: `${upstream.url}/base` });
  adminAuth = await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
});

afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

/** The log lines are written when the response has gone: wait until the request's is there. */
async function requestLine(reqId: string, msg = 'request'): Promise<Line> {
  for (let i = 0; i < 100; i++) {
    const found = lines().filter((l) => l.reqId === reqId && l.msg === msg);
    if (found.length > 0) {
      expect(found).toHaveLength(1);
      return found[0];
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no "${msg}" line for request ${reqId}`);
}

const newRequestId = () => `test-${randomUUID()}`;

describe('one line per request', () => {
  it('names method, route template, status, duration, request id, trace id and the caller', async () => {
    const reqId = newRequestId();
    const res = await fetch(`${t.url}/admin/v1/owners/${world.owner.orgcode}`, {
      headers: { authorization: adminAuth, 'x-request-id': reqId },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBeNull(); // the id is the caller's; not echoed
    const line = await requestLine(reqId);
    expect(line).toMatchObject({
      level: 30,
      msg: 'request',
      method: 'GET',
      route: '/admin/v1/owners/:orgcode',
      status: 200,
      consumer: ADMIN_ORG,
      clientId: `test-client-${ADMIN_ORG}`,
    });
    expect(line.traceId).toMatch(TRACEPARENT);
    expect(typeof line.ms).toBe('number');
    expect(line).not.toHaveProperty('code');
  });

  it('carries the problem code, and the traceId the problem body quotes', async () => {
    const reqId = newRequestId();
    const res = await fetch(`${t.url}/admin/v1/owners`, { headers: { 'x-request-id': reqId } });
    const body = (await res.json()) as { traceId: string; code: string };
    expect(res.status).toBe(401);
    const line = await requestLine(reqId);
    expect(line).toMatchObject({ level: 40, status: 401, code: body.code, reason: 'missing' });
    expect(line.traceId).toBe(body.traceId);
  });

  it('logs a request that matched no route, under its own route name', async () => {
    const reqId = newRequestId();
    const res = await fetch(`${t.url}/no/such/path`, { headers: { 'x-request-id': reqId } });
    const body = (await res.json()) as { traceId: string };
    const line = await requestLine(reqId);
    expect(line).toMatchObject({ status: 404, route: 'unmatched', code: 'STD-00404', traceId: body.traceId });
  });

  it('logs health and metrics polls at debug only', async () => {
    for (const path of ['/health/live', '/metrics']) {
      const reqId = newRequestId();
      expect((await fetch(`${t.url}${path}`, { headers: { 'x-request-id': reqId } })).status).toBe(200);
      expect(await requestLine(reqId)).toMatchObject({ level: 20, route: path, status: 200 });
    }
  });

  it('names the client and the failing check of a refused token request', async () => {
    const reqId = newRequestId();
    const assertion = await signAssertion(t, tokens.client, {
      claims: { aud: 'https://elsewhere.example/' },
    });
    const res = await postToken(t, { grant_type: JWT_BEARER, assertion }, { 'x-request-id': reqId });
    expect(res.status).toBe(400);
    const line = await requestLine(reqId);
    expect(line).toMatchObject({
      route: '/token',
      status: 400,
      code: 'invalid_grant',
      reason: 'aud',
      clientId: tokens.client.clientId,
    });
  });

  it('never writes a token, whether sent in a header, the query, a cookie, a form or a JSON body', async () => {
    const token = (await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' })).slice('Bearer '.length);
    const signature = token.split('.')[2];
    const assertion = await signAssertion(t, tokens.client);
    const before = raw.length;
    await fetch(`${t.url}/admin/v1/owners`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${t.url}/admin/v1/owners`, { headers: { authorization: `bearer  ${token}` } });
    await fetch(`${t.url}/admin/v1/owners?access_token=${token}`);
    await fetch(`${t.url}/admin/v1/owners`, { headers: { cookie: `session=${token}` } });
    await fetch(`${t.url}/admin/v1/owners/${world.owner.orgcode}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ orgNumber: token, name: { nb: token } }),
    });
    await postToken(t, { grant_type: JWT_BEARER, assertion });
    await postToken(t, { grant_type: JWT_BEARER, assertion: `${assertion}x` });
    await proxy(t, `/proxy/${api}/x?access_token=${token}`);
    await proxy(t, `/proxy/${api}/x`, { auth: `Bearer ${token}` });
    await new Promise((r) => setTimeout(r, 200));
    const written = raw.slice(before).join('\n');
    expect(raw.length - before).toBeGreaterThanOrEqual(9);
    for (const secret of [token, signature, assertion, assertion.split('.')[2]])
      expect(written).not.toContain(secret);
    expect(written.toLowerCase()).not.toContain('authorization');
    expect(written.toLowerCase()).not.toContain('cookie');
  });
});

describe('W3C trace context', () => {
  const traceId = () => randomBytes(16).toString('hex');
  const spanId = () => randomBytes(8).toString('hex');

  it('continues a valid traceparent: same trace, a span of our own, in the body and the line', async () => {
    const trace = traceId();
    const parent = spanId();
    const reqId = newRequestId();
    const res = await fetch(`${t.url}/admin/v1/owners`, {
      headers: { traceparent: `00-${trace}-${parent}-01`, 'x-request-id': reqId },
    });
    const body = (await res.json()) as { traceId: string };
    const [, bodyTrace, bodySpan] = TRACEPARENT.exec(body.traceId)!;
    expect(bodyTrace).toBe(trace);
    expect(bodySpan).not.toBe(parent);
    expect((await requestLine(reqId)).traceId).toBe(body.traceId);
  });

  it('keeps the sampled flag of the caller', async () => {
    const trace = traceId();
    const res = await fetch(`${t.url}/admin/v1/owners`, {
      headers: { traceparent: `00-${trace}-${spanId()}-00` },
    });
    expect(((await res.json()) as { traceId: string }).traceId).toMatch(
      new RegExp(`^00-${trace}-[0-9a-f]{16}-00$`),
    );
  });

  it('starts a new trace for an invalid traceparent', async () => {
    const trace = traceId();
    for (const bad of [
      `00-${trace.toUpperCase()}-${spanId()}-01`,
      `00-${'0'.repeat(32)}-${spanId()}-01`,
      `00-${trace}-${'0'.repeat(16)}-01`,
      `ff-${trace}-${spanId()}-01`,
      `00-${trace}-${spanId()}-01-extra`,
    ]) {
      const res = await fetch(`${t.url}/admin/v1/owners`, { headers: { traceparent: bad } });
      const body = (await res.json()) as { traceId: string };
      expect(body.traceId).toMatch(TRACEPARENT);
      expect(body.traceId).not.toContain(trace);
    }
  });

  it('hands the trace to the upstream under a new parent span, with the caller’s tracestate', async () => {
    const consent = await acceptedConsent(t, world);
    const auth = await consentBearer(t, world, consent);
    const trace = traceId();
    const parent = spanId();
    const hitsBefore = upstream.hits.length;
    const res = await proxy(t, `/proxy/${api}/trace`, {
      auth,
      headers: { traceparent: `00-${trace}-${parent}-01`, tracestate: 'vendor=abc, other@tenant=x-1' },
    });
    expect(res.status).toBe(200);
    const hit = upstream.hits[hitsBefore];
    const [, upstreamTrace, upstreamParent] = TRACEPARENT.exec(String(hit.headers.traceparent))!;
    expect(upstreamTrace).toBe(trace);
    expect(upstreamParent).not.toBe(parent);
    expect(hit.headers.tracestate).toBe('vendor=abc,other@tenant=x-1');

    const line = await requestLine(String(hit.headers['x-request-id']), 'gateway call');
    expect(line).toMatchObject({ status: 200, api, consumer: world.consumer });
    expect(String(line.traceId)).toMatch(new RegExp(`^00-${trace}-[0-9a-f]{16}-01$`));
  });

  it('starts a trace for a gateway call that brought none, and drops an invalid tracestate', async () => {
    const consent = await acceptedConsent(t, world);
    const auth = await consentBearer(t, world, consent);
    const hitsBefore = upstream.hits.length;
    await proxy(t, `/proxy/${api}/trace`, { auth, headers: { tracestate: 'Bad Key=1' } });
    const hit = upstream.hits[hitsBefore];
    expect(String(hit.headers.traceparent)).toMatch(TRACEPARENT);
    expect(hit.headers.tracestate).toBeUndefined();
  });

  it('names why the upstream failed in the gateway line (the client gets only 502)', async () => {
    const closed = await registerApi(t, world, { upstreamUrl: `http://127.0.0.1:${await freePort()}/base` });
    const consent = await acceptedConsent(t, world);
    const res = await proxy(t, `/proxy/${closed}/x`, { auth: await consentBearer(t, world, consent) });
    expect(res.status).toBe(502);
    expect(res.text).not.toContain('ECONNREFUSED');
    const line = await requestLine(String(res.headers.get('x-request-id')), 'gateway call');
    expect(line).toMatchObject({
      status: 502,
      code: 'GW-00012',
      reason: 'ECONNREFUSED',
      traceId: res.body.traceId,
    });
  });

  it('quotes the gateway line’s traceId in the gateway’s problem body', async () => {
    const res = await proxy(t, `/proxy/${api}/x`, { auth: 'Bearer not.a.token' });
    expect(res.status).toBe(401);
    const line = await requestLine(String(res.headers.get('x-request-id')), 'gateway call');
    expect(line).toMatchObject({ status: 401, code: 'GW-00003', reason: 'malformed' });
    expect(line.traceId).toBe(res.body.traceId);
  });
});
