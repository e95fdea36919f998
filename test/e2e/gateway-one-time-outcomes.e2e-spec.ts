/**
 * A one-time consent when the upstream call fails (docs/security.md RT3-9, RT3-10):
 * - the access log line and the outcome metric record the status the client got (502, 504),
 *   not the 200 the response held before the deferred problem answer was written;
 * - never reached (connection refused) or answered with a non-2xx status: nothing was
 *   delivered, the consent stays usable;
 * - reached and no answer (a timeout, a reset after the request was written, the client gone):
 *   the upstream may have acted, so the consent is used (fail closed).
 * Real HTTP, real upstream sockets, real PostgreSQL; the app's log stream captured as JSON lines.
 */
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, freePort, type TestApp } from '../helpers/app.js';
import { problemBody, sql } from '../factories/consent-fixtures.js';
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

type Line = Record<string, unknown> & { msg?: string; reqId?: string };
const raw: string[] = [];

let t: TestApp;
let world: GatewayWorld;
let upstream: Upstream;
let resetting: Server;
/** Requests the resetting upstream read before it cut the connection. */
let resets = 0;
let api: string;
let slowApi: string;
let downApi: string;
let resetApi: string;

beforeAll(async () => {
  t = await createTestApp({
    env: { LOG_LEVEL: 'info' },
    logDestination: { write: (s: string) => void raw.push(...s.split('\n').filter(Boolean)) },
  });
  world = await gatewayWorld(t, { isOneTimeConsent: true });
  upstream = await startUpstream();
  // Reads the request, then resets the connection: the request was delivered, no answer comes.
  resetting = createServer((socket) =>
    socket.once('data', () => {
      resets++;
      socket.resetAndDestroy();
    }),
  );
  await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
  api = await registerApi(t, world, { upstreamUrl: upstream.url });
  // A small upstream timeout keeps the 504 case short; the test asserts no durations.
  slowApi = await registerApi(t, world, { upstreamUrl: upstream.url, timeoutMs: 300 });
  downApi = await registerApi(t, world, { upstreamUrl: `http://127.0.0.1:${await freePort()}` });
  resetApi = await registerApi(t, world, {
    upstreamUrl: `http://127.0.0.1:${(resetting.address() as AddressInfo).port}`,
  });
});

afterAll(async () => {
  await t?.close();
  await upstream?.close();
  await new Promise((resolve) => resetting?.close(resolve));
});

/** The gateway's log line for a request id (written when the call ends: wait for it). */
async function gatewayLine(reqId: string): Promise<Line> {
  for (let i = 0; i < 200; i++) {
    const found = raw
      .map((l) => JSON.parse(l) as Line)
      .filter((l) => l.reqId === reqId && l.msg === 'gateway call');
    if (found.length > 0) {
      expect(found).toHaveLength(1);
      return found[0];
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no gateway line for request ${reqId}`);
}

async function outcomes(apiName: string, outcome: string): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`gateway_requests_total{api="${apiName}",outcome="${outcome}"} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

async function statusOf(consentId: string): Promise<string> {
  return (
    (await sql(t, 'SELECT status FROM consent_requests WHERE id = $1', [consentId])) as { status: string }[]
  )[0].status;
}

const USED = problemBody(401, 'GW-00009', 'Unauthorized', 'The consent is used.');

async function oneTimeConsent(): Promise<{ id: string; auth: string }> {
  const consent = await acceptedConsent(t, world, { isOneTime: true });
  return { id: consent.id, auth: await consentBearer(t, world, consent) };
}

describe('the upstream was never reached: the consent stays usable', () => {
  it('connection refused → 502, logged and counted as 502 / GW-00012, and the next call may use the consent', async () => {
    const { id, auth } = await oneTimeConsent();
    const before = await outcomes(downApi, 'GW-00012');
    const res = await proxy(t, `/proxy/${downApi}/x`, { method: 'POST', auth, body: '{"pay":1}' });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'GW-00012' });
    expect(await gatewayLine(res.headers.get('x-request-id')!)).toMatchObject({
      status: 502,
      outcome: 'GW-00012',
      code: 'GW-00012',
      reason: 'ECONNREFUSED',
      consent: id,
    });
    expect(await outcomes(downApi, 'GW-00012')).toBe(before + 1);
    expect(await statusOf(id)).toBe('accepted');
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).status).toBe(200);
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).body).toEqual(USED);
  });
});

describe('the upstream answered with an error: nothing was delivered, the consent stays usable', () => {
  it('503 from the upstream is relayed and logged as 503, and the consent is not used', async () => {
    const { id, auth } = await oneTimeConsent();
    const hits = upstream.hits.length;
    const res = await proxy(t, `/proxy/${api}/status/503`, { auth });
    expect(res.status).toBe(503);
    expect(await gatewayLine(String(upstream.hits[hits].headers['x-request-id']))).toMatchObject({
      status: 503,
      outcome: 'upstream_5xx',
    });
    expect(await statusOf(id)).toBe('accepted');
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).status).toBe(200);
  });
});

describe('the request reached the upstream and no answer came: the consent is used (fail closed)', () => {
  it('a timeout → 504, logged and counted as 504 / GW-00013; the consent is used and the next call is 401', async () => {
    const { id, auth } = await oneTimeConsent();
    const before = await outcomes(slowApi, 'GW-00013');
    const hits = upstream.hits.length;
    const res = await proxy(t, `/proxy/${slowApi}/hang`, { method: 'POST', auth, body: '{"pay":1}' });
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ code: 'GW-00013' });
    expect(await gatewayLine(res.headers.get('x-request-id')!)).toMatchObject({
      status: 504,
      outcome: 'GW-00013',
      code: 'GW-00013',
      consent: id,
    });
    expect(await outcomes(slowApi, 'GW-00013')).toBe(before + 1);
    // The upstream did get the request: it may have acted on it.
    expect(upstream.hits.slice(hits).map((h) => h.headers['x-consent-id'])).toEqual([id]);
    expect(await statusOf(id)).toBe('used');
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).body).toEqual(USED);
    expect(await sql(t, 'SELECT * FROM gateway_one_time_claims WHERE consent_id = $1', [id])).toHaveLength(0);
  });

  it('a reset after the request was written → 502, logged as 502; the consent is used', async () => {
    const { id, auth } = await oneTimeConsent();
    const before = resets;
    const res = await proxy(t, `/proxy/${resetApi}/x`, { method: 'POST', auth, body: '{"pay":1}' });
    expect(res.status).toBe(502);
    expect(resets).toBe(before + 1);
    expect(await gatewayLine(res.headers.get('x-request-id')!)).toMatchObject({
      status: 502,
      outcome: 'GW-00012',
      consent: id,
    });
    expect(await statusOf(id)).toBe('used');
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).body).toEqual(USED);
  });

  it('the client going away while the upstream has the request uses the consent too (logged as 499)', async () => {
    const { id, auth } = await oneTimeConsent();
    const hits = upstream.hits.length;
    // A raw connection the test hangs up once the upstream holds the request.
    const u = new URL(t.url);
    const socket = connect(Number(u.port), u.hostname);
    await new Promise((r) => socket.once('connect', r));
    socket.write(`GET /proxy/${api}/slow/1500 HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: ${auth}\r\n\r\n`);
    for (let i = 0; i < 200 && upstream.hits.length === hits; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(upstream.hits.length).toBe(hits + 1);
    socket.destroy();
    const requestId = String(upstream.hits[hits].headers['x-request-id']);
    expect(await gatewayLine(requestId)).toMatchObject({
      status: 499,
      outcome: 'client_closed',
      consent: id,
    });
    expect(await statusOf(id)).toBe('used');
  });
});
