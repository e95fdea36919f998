/**
 * Red-team findings on the gateway (docs/security.md, "Red-team findings"), each kept as a
 * regression through real HTTP to a real upstream. Every refusal is checked for the upstream
 * having received nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';
import type { TestApp } from '../helpers/app.js';
import { startGatewayApp, type GatewayApp } from '../factories/gateway-app.js';
import { expectProblem } from '../factories/problems.js';
import { sql } from '../factories/consent-fixtures.js';
import {
  acceptedConsent,
  consentBearer,
  rawExchange,
  proxy,
  rawRequest,
  registerApi,
  type GatewayWorld,
  type Upstream,
} from '../factories/gateway-fixtures.js';

let gateway: GatewayApp;
let t: TestApp;
let upstream: Upstream;
let world: GatewayWorld;
/** An API that reads the subject from query parameter `person_id`. */
let queryApi: string;
/** An API that reads the subject from header `X-Person-Id`. */
let headerApi: string;
let auth: string;
let pid: string;
const OTHER = '25922947409';

beforeAll(async () => {
  gateway = await startGatewayApp({ api: false });
  ({ t, upstream, world } = gateway);
  queryApi = await registerApi(t, world, {
    upstreamUrl: `${upstream.url}/q`,
    subject: { in: 'query', name: 'person_id' },
  });
  headerApi = await registerApi(t, world, {
    upstreamUrl: `${upstream.url}/h`,
    subject: { in: 'header', name: 'X-Person-Id' },
  });
  const consent = await acceptedConsent(t, world);
  pid = consent.from.split(':').pop()!;
  auth = await consentBearer(t, world, consent);
});

afterAll(async () => {
  await gateway?.close();
});

const mismatch =
  'The subject in query parameter person_id is missing or is not the party that gave the consent.';

describe('RT-1: a second subject whose name PHP or ASP.NET reads as the subject', () => {
  it.each([
    // PHP skips leading spaces in a name: `$_GET['person_id']` became the second, unchecked value.
    ['with a leading `+` (PHP)', `+person_id=${OTHER}`],
    ['with a leading %20 (PHP)', `%20person_id=${OTHER}`],
    ['with a leading double-encoded space', `%2520person_id=${OTHER}`],
    // ASP.NET and Java compare names ignoring case, and `ı` upper-cases to `I`.
    ['with a dotless i (ASP.NET, Java)', `person_%C4%B1d=${OTHER}`],
    // PHP files a name with an unmatched `[` under the name with `_` for it (RT-1b).
    ['as `person[id` (PHP)', `person[id=${OTHER}`],
    ['as `person%5Bid` (PHP)', `person%5Bid=${OTHER}`],
  ])('refuses it %s (403 GW-00010)', async (_what, second) => {
    const before = upstream.hits.length;
    const res = await rawRequest(t, {
      path: `/proxy/${queryApi}/x?person_id=${pid}&${second}`,
      headers: [['authorization', auth]],
    });
    expectProblem(res, 403, 'GW-00010', mismatch);
    expect(upstream.hits.length).toBe(before);
  });

  it.each(['+access_token', 'access[token', 'access%5Btoken'])(
    'refuses an access token in the query as %s (PHP reads access_token), and never forwards it',
    async (param) => {
      const token = auth.slice('Bearer '.length);
      const before = upstream.hits.length;
      const res = await rawRequest(t, {
        path: `/proxy/${queryApi}/x?person_id=${pid}&${param}=${token}`,
        headers: [['authorization', auth]],
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('GW-00002');
      expect(res.text).not.toContain(token);
      expect(upstream.hits.length).toBe(before);
    },
  );

  it('still forwards the one subject with other parameters as sent', async () => {
    const res = await rawRequest(t, {
      path: `/proxy/${queryApi}/x?person_id=${pid}&person_idx=1&personid=2`,
      headers: [['authorization', auth]],
    });
    expect(res.status).toBe(200);
    expect(upstream.hits[upstream.hits.length - 1].url).toBe(`/q/x?person_id=${pid}&person_idx=1&personid=2`);
  });
});

describe('RT-2: a body that frameworks merge with the query, on an API with a query subject', () => {
  const bodyRefused =
    "This API reads the subject from query parameter person_id, so it takes no form or JSON body (frameworks merge their fields with the query's); send the body as another media type.";

  it.each([
    // Rack/Sinatra `params`, PHP `$_REQUEST`: the body's field wins over the query's.
    ['a form', 'application/x-www-form-urlencoded', `person_id=${OTHER}`],
    ['a form, spelled loosely', ' Application/X-WWW-Form-Urlencoded;charset=utf-8', `person_id=${OTHER}`],
    ['a form, PHP cutting at a comma', 'application/x-www-form-urlencoded,text/plain', `person_id=${OTHER}`],
    [
      'multipart',
      'multipart/form-data; boundary=b',
      `--b\r\nContent-Disposition: form-data; name="person_id"\r\n\r\n${OTHER}\r\n--b--\r\n`,
    ],
    // Laravel `$request->input()`: any type containing `/json` or `+json`.
    ['JSON', 'application/json', JSON.stringify({ person_id: OTHER })],
    ['a +json type', 'application/vnd.api+json', JSON.stringify({ person_id: OTHER })],
    // Rack parses a POST body without a Content-Type as a form.
    ['no Content-Type', undefined, `person_id=${OTHER}`],
  ])('refuses %s body (403 GW-00010)', async (_what, contentType, body) => {
    const before = upstream.hits.length;
    const res = await rawRequest(t, {
      method: 'POST',
      path: `/proxy/${queryApi}/x?person_id=${pid}`,
      headers: [
        ['authorization', auth],
        ...(contentType ? [['content-type', contentType] as [string, string]] : []),
      ],
      body,
    });
    expectProblem(res, 403, 'GW-00010', bodyRefused);
    expect(upstream.hits.length).toBe(before);
  });

  it('refuses a chunked form body too', async () => {
    const before = upstream.hits.length;
    async function* chunks() {
      yield Buffer.from('person_id=');
      yield Buffer.from(OTHER);
    }
    const res = await rawRequest(t, {
      method: 'POST',
      path: `/proxy/${queryApi}/x?person_id=${pid}`,
      headers: [
        ['authorization', auth],
        ['content-type', 'application/x-www-form-urlencoded'],
      ],
      body: chunks(),
    });
    expectProblem(res, 403, 'GW-00010', bodyRefused);
    expect(upstream.hits.length).toBe(before);
  });

  it.each([
    ['an XML body', 'application/xml', '<q/>'],
    ['an octet-stream body', 'application/octet-stream', 'person_id=x'],
  ])('forwards %s', async (_what, contentType, body) => {
    const res = await rawRequest(t, {
      method: 'POST',
      path: `/proxy/${queryApi}/x?person_id=${pid}`,
      headers: [
        ['authorization', auth],
        ['content-type', contentType],
      ],
      body,
    });
    expect(res.status).toBe(200);
    expect(upstream.hits[upstream.hits.length - 1].bodyLength).toBe(Buffer.byteLength(body));
  });

  it('forwards a request without a body whatever its Content-Type', async () => {
    const res = await rawRequest(t, {
      path: `/proxy/${queryApi}/x?person_id=${pid}`,
      headers: [
        ['authorization', auth],
        ['content-type', 'application/json'],
      ],
    });
    expect(res.status).toBe(200);
  });

  it('forwards a form body to an API that reads the subject from a header', async () => {
    const res = await rawRequest(t, {
      method: 'POST',
      path: `/proxy/${headerApi}/x`,
      headers: [
        ['authorization', auth],
        ['x-person-id', pid],
        ['content-type', 'application/x-www-form-urlencoded'],
      ],
      body: `person_id=${OTHER}`,
    });
    expect(res.status).toBe(200);
  });
});

describe('RT-3: Connection naming the headers that say how to read the body', () => {
  it('keeps Content-Type when Connection names it, so an accepted XML body stays XML upstream', async () => {
    const res = await rawRequest(t, {
      method: 'POST',
      path: `/proxy/${queryApi}/x?person_id=${pid}`,
      headers: [
        ['authorization', auth],
        ['content-type', 'application/xml'],
        ['connection', 'Content-Type'],
      ],
      body: `person_id=${OTHER}`,
    });
    expect(res.status).toBe(200);
    const hit = upstream.hits[upstream.hits.length - 1];
    expect(hit.headers['content-type']).toBe('application/xml');
    expect(hit.bodyLength).toBe(`person_id=${OTHER}`.length);
  });

  it('still drops another header that Connection names', async () => {
    const res = await rawRequest(t, {
      path: `/proxy/${headerApi}/x`,
      headers: [
        ['authorization', auth],
        ['x-person-id', pid],
        ['x-hop', 'a'],
        ['connection', 'X-Hop, Content-Type'],
      ],
    });
    expect(res.status).toBe(200);
    expect(upstream.hits[upstream.hits.length - 1].headers['x-hop']).toBeUndefined();
  });
});

describe('RT-6: CONNECT', () => {
  it('is answered 405 problem+json and the connection closed, not dropped without a word', async () => {
    const host = new URL(t.url).host;
    const res = await rawExchange(t, `CONNECT ${host} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    expectProblem(res, 405, 'STD-00405', 'CONNECT is not allowed: this server is not a forward proxy.');
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('connection')).toBe('close');
  });
});

describe('RT-7: a one-time consent through an API in token mode', () => {
  let tokenApi: string;
  beforeAll(async () => {
    tokenApi = await registerApi(t, world, { upstreamUrl: `${upstream.url}/tok`, consentSource: 'token' });
  });

  it('is used up by the first successful call, as in local mode', async () => {
    const consent = await acceptedConsent(t, world, { isOneTime: true });
    const bearer = await consentBearer(t, world, consent);
    const first = await rawRequest(t, { path: `/proxy/${tokenApi}/x`, headers: [['authorization', bearer]] });
    expect(first.status).toBe(200);
    const before = upstream.hits.length;
    const second = await rawRequest(t, {
      path: `/proxy/${tokenApi}/x`,
      headers: [['authorization', bearer]],
    });
    expect(second.status).toBe(401);
    expect(second.body.code).toBe('GW-00009');
    expect(upstream.hits.length).toBe(before);
    const [row] = await sql(t, 'SELECT status FROM consent_requests WHERE id = $1', [consent.id]);
    expect(row.status).toBe('used');
  });

  it('lets exactly one of 20 concurrent calls through', async () => {
    const consent = await acceptedConsent(t, world, { isOneTime: true });
    const bearer = await consentBearer(t, world, consent);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        rawRequest(t, { path: `/proxy/${tokenApi}/x`, headers: [['authorization', bearer]] }),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 401)).toHaveLength(19);
  });

  it('still trusts the signed detail of a consent this service does not hold (external Altinn)', async () => {
    const consent = await acceptedConsent(t, world, { isOneTime: true });
    const external = { ...consent, id: '0196f3c0-0000-7000-8000-00000000e0e1' };
    const bearer = await consentBearer(t, world, external);
    for (let i = 0; i < 2; i++) {
      const res = await rawRequest(t, { path: `/proxy/${tokenApi}/x`, headers: [['authorization', bearer]] });
      expect(res.status).toBe(200);
    }
  });
});

describe('RT-9: httpoxy, client-address and auth-proxy identity headers', () => {
  it('never forwards Proxy, Client-IP or an authenticating proxy identity, in any spelling', async () => {
    const res = await rawRequest(t, {
      path: `/proxy/${headerApi}/x`,
      headers: [
        ['authorization', auth],
        ['x-person-id', pid],
        ['Proxy', 'http://evil.example:8080'],
        ['Client_IP', '10.6.6.6'],
        ['CF-Connecting-IP', '10.6.6.6'],
        ['X-Remote-User', 'admin'],
        ['X-Auth-Request-Email', 'admin@evil.example'],
        ['X-MS-CLIENT-PRINCIPAL-NAME', 'admin'],
        ['X-Amzn-OIDC-Identity', 'admin'],
        ['X-Envoy-Original-Path', '/admin'],
        ['X-Custom', 'kept'],
      ],
    });
    expect(res.status).toBe(200);
    const forwarded = upstream.hits[upstream.hits.length - 1].headers;
    const leaked = Object.keys(forwarded).filter((h) =>
      /^(proxy|client[-_]ip|cf-|x-remote|x-auth-request|x-ms-client|x-amzn|x-envoy)/.test(h),
    );
    expect(leaked).toEqual([]);
    expect(JSON.stringify(forwarded)).not.toMatch(/evil\.example|10\.6\.6\.6|admin/);
    expect(forwarded['x-custom']).toBe('kept');
    expect(forwarded['x-forwarded-for']).toBe('127.0.0.1');
  });
});

/** A TCP upstream that does `onConnection` with each connection it accepts (never an HTTP answer). */
async function rawUpstream(
  onConnection: (socket: Socket) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('RT-10: a call with a body to an upstream that times out or drops the connection', () => {
  // It crashed the whole process: Node detaches the socket from a request whose body the
  // upstream never read, and the forwarder read `req.socket` when the call ended.
  const cases: Array<[string, (s: Socket) => void, number, string]> = [
    ['never answers (504 GW-00013)', () => undefined, 504, 'GW-00013'],
    ['accepts, then closes at once (502 GW-00012)', (s) => s.destroy(), 502, 'GW-00012'],
  ];
  for (const [what, onConnection, status, code] of cases)
    it(`${what}: the caller gets its answer and the service keeps serving`, async () => {
      const bad = await rawUpstream(onConnection);
      try {
        const api = await registerApi(t, world, {
          upstreamUrl: `${bad.url}/x`,
          subject: { in: 'header', name: 'X-Person-Id' },
          timeoutMs: 500,
        });
        for (const body of ['x', 'y'.repeat(200_000)]) {
          const res = await proxy(t, `/proxy/${api}/x`, {
            method: 'POST',
            auth,
            headers: { 'x-person-id': pid, 'content-type': 'text/plain' },
            body,
          });
          expect({ status: res.status, code: (res.body as { code?: string }).code }).toEqual({
            status,
            code,
          });
        }
        expect((await fetch(`${t.url}/health/live`)).status).toBe(200);
        const ok = await proxy(t, `/proxy/${headerApi}/x`, {
          method: 'POST',
          auth,
          headers: { 'x-person-id': pid },
          body: 'z',
        });
        expect(ok.status).toBe(200);
      } finally {
        await bad.close();
      }
    });
});
