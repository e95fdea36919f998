/**
 * The gateway's edge against the parsers behind it (DESIGN §11, issue 17), through real HTTP to a
 * real upstream: generated request targets (differential, against the reference servers of
 * test/unit/reference-servers.ts), header names that fold onto ours, bearer tokens in the query,
 * and the subject query parameter under other spellings. Every refusal is checked for its body
 * and for the upstream having received nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { TestApp } from '../helpers/app.js';
import { startGatewayApp, type GatewayApp } from '../factories/gateway-app.js';
import { expectProblem } from '../factories/problems.js';
import {
  acceptedConsent,
  consentBearer,
  rawExchange,
  rawRequest,
  registerApi,
  type GatewayWorld,
  type Upstream,
} from '../factories/gateway-fixtures.js';
import { interpreters, keepsStructure } from '../unit/reference-servers.js';

let gateway: GatewayApp;
let t: TestApp;
let upstream: Upstream;
let world: GatewayWorld;
let api: string;
/** A token the gateway has seen (cached), for a consent from `pid`. */
let auth: string;
let pid: string;

const BEARER_IN_QUERY =
  'Bearer realm="consent-gateway", error="invalid_request", error_description="access tokens are accepted in the Authorization header only"';

beforeAll(async () => {
  gateway = await startGatewayApp();
  ({ t, upstream, world, api } = gateway);
  const consent = await acceptedConsent(t, world);
  pid = consent.from.split(':').pop()!;
  auth = await consentBearer(t, world, consent);
  for (let i = 0; i < 2; i++) expect((await get(`/proxy/${api}/warm`)).status).toBe(200);
});

afterAll(async () => {
  await gateway?.close();
});

function get(path: string, headers: Array<[string, string]> = [['authorization', auth]]) {
  return rawRequest(t, { path, headers });
}

describe('generated request targets through the real gateway', () => {
  const PIECES = [
    '.',
    '..',
    ';',
    ';x',
    '%2e',
    '%2E',
    '%252e',
    '%25',
    '%2f',
    '%252f',
    '%5c',
    '\\',
    '%00',
    '%c0%ae',
    '%ef%bc%8e',
    '%e2%80%a5',
    '%20',
    '%3b',
    '%u002e',
    '2e',
    '%',
    '+',
    '%ff',
    'a',
    'B',
    '_',
    '~',
    '.json',
  ];
  const segment = fc.array(fc.constantFrom(...PIECES), { maxLength: 4 }).map((p) => p.join(''));
  const rest = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`);

  it('either refuses a target with 400 GW-00002 before the upstream, or forwards it verbatim with the same meaning everywhere', async () => {
    await fc.assert(
      fc.asyncProperty(rest, async (r) => {
        const before = upstream.hits.length;
        const res = await get(`/proxy/${api}${r}`);
        if (res.status === 400) {
          expect(res.body.code).toBe('GW-00002');
          expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(upstream.hits.length).toBe(before);
          return;
        }
        expect({ r, status: res.status }).toEqual({ r, status: 200 });
        const received = upstream.hits[upstream.hits.length - 1].url;
        expect(received).toBe(`/base${r}`);
        for (const [name, read] of Object.entries(interpreters))
          expect({ r, name, keeps: keepsStructure(received, read(received)) }).toEqual({
            r,
            name,
            keeps: true,
          });
      }),
      { numRuns: 120 },
    );
  });

  it.each([
    '/proxy/API/v1/2024/..;/..;/admin',
    '/proxy/API/..;x/admin',
    '/proxy/API/.;/admin',
    '/proxy/API/%2e%2e;/admin',
    '/proxy/API/..%5cadmin',
    '/proxy/API/.../admin',
    '/proxy/API/%ef%bc%8e%ef%bc%8e/admin',
    '/proxy/API/a%2fb',
  ])('refuses %s (named regression)', async (target) => {
    const before = upstream.hits.length;
    const res = await get(target.replace('API', api));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('GW-00002');
    expect(upstream.hits.length).toBe(before);
  });
});

describe("client headers that fold onto the gateway's own names", () => {
  it('drops X_Consent_Id and every other spelling of a name the gateway sets or removes', async () => {
    const before = upstream.hits.length;
    const res = await get(`/proxy/${api}/x`, [
      ['authorization', auth],
      ['X_Consent_Id', 'evil-id'],
      ['x_consent_from', 'urn:altinn:person:identifier-no:25922947409'],
      ['X.Forwarded.For', '10.6.6.6'],
      ['X_Real_IP', '10.6.6.6'],
      ['X_Request_Id', 'evil-request'],
      ['X-HTTP-Method-Override', 'DELETE'],
      ['X_HTTP_Method_Override', 'DELETE'],
      ['x-custom_header', 'kept'],
    ]);
    expect(res.status).toBe(200);
    const [hit] = upstream.hits.slice(before);
    const h = hit.headers;
    expect(h['x-consent-id']).not.toBe('evil-id');
    expect(h['x-consent-from']).not.toContain('25922947409');
    expect(Object.keys(h).filter((n) => /[_.]/.test(n))).toEqual(['x-custom_header']);
    expect(JSON.stringify(h)).not.toMatch(/evil|10\.6\.6\.6|DELETE/);
    expect(hit.method).toBe('GET');
  });

  it('keeps our X-Consent-* and the checked subject header even when Connection names them', async () => {
    const subjectApi = await registerApi(t, world, {
      upstreamUrl: `${upstream.url}/base`,
      subject: { in: 'header', name: 'X-Person-Id' },
    });
    const before = upstream.hits.length;
    const res = await get(`/proxy/${subjectApi}/x`, [
      ['authorization', auth],
      ['connection', 'keep-alive, X-Consent-Id, X-Person-Id, X-Forwarded-For'],
      ['X-Person-Id', pid],
      ['X_Person_Id', '25922947409'],
    ]);
    expect(res.status).toBe(200);
    const [hit] = upstream.hits.slice(before);
    expect(hit.headers['x-person-id']).toBe(pid);
    expect(hit.headers['x_person_id']).toBeUndefined();
    expect(hit.headers['x-consent-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(hit.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('refuses a subject API registration whose header folds onto a reserved name', async () => {
    const res = await fetch(`${t.url}/admin/v1/apis`, {
      method: 'POST',
      headers: { authorization: world.owner.auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'folded-subject',
        upstreamUrl: `${upstream.url}/base`,
        requiredScopes: [world.scope],
        consentResources: [world.resource],
        subject: { in: 'header', name: 'X_Consent_From' },
      }),
    });
    expect(res.status).toBe(400);
    expect(
      (await fetch(`${t.url}/admin/v1/apis/folded-subject`, { headers: { authorization: world.owner.auth } }))
        .status,
    ).toBe(404);
  });
});

describe('a bearer token in the query (400 invalid_request, never forwarded)', () => {
  const token = () => auth.slice('Bearer '.length);

  it.each([
    ['alone', (q: string) => `access_token=${q}`, false],
    ['with an Authorization header too', (q: string) => `access_token=${q}`, true],
    ['in upper case', (q: string) => `ACCESS_TOKEN=${q}`, true],
    ['with an encoded name', (q: string) => `access%5Ftoken=${q}`, true],
    ['as PHP reads `access.token`', (q: string) => `x=1&access.token=${q}`, true],
    ['after a `;` separator', (q: string) => `x=1;access_token=${q}`, true],
  ])('refuses access_token %s', async (_what, query, withHeader) => {
    const before = upstream.hits.length;
    const res = await get(`/proxy/${api}/x?${query(token())}`, withHeader ? [['authorization', auth]] : []);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('GW-00002');
    expect(res.body.detail).toMatch(/^Send the bearer token in the Authorization header only/);
    expect(res.headers.get('www-authenticate')).toBe(BEARER_IN_QUERY);
    expect(res.text).not.toContain(token());
    expect(upstream.hits.length).toBe(before);
  });

  it('refuses it on the admin API too, even with a token that would be accepted in the header', async () => {
    const admin = world.owner.auth;
    const res = await rawRequest(t, { path: `/admin/v1/apis?access_token=${admin.slice(7)}` });
    expectProblem(
      res,
      400,
      'AUTH-00400',
      'Send the bearer token in the Authorization header only: the query parameter "access_token" is refused and never forwarded (RFC 6750 §2, §5.3).',
      [
        {
          code: 'STD.VLD-00001',
          title: 'An access token may only be sent in the Authorization header.',
          paths: ['$.access_token'],
        },
      ],
    );
    expect(res.headers.get('www-authenticate')).toBe(BEARER_IN_QUERY);
    const public_ = await rawRequest(t, {
      path: '/resourceregistry/api/v1/resource/resourcelist?access_token=x',
    });
    expect(public_.status).toBe(400);
    expect(public_.body.code).toBe('AUTH-00400');
  });

  it('lets other parameters that merely contain "token" through', async () => {
    const res = await get(`/proxy/${api}/x?tokens=2&next_token=abc`);
    expect(res.status).toBe(200);
  });
});

describe('the subject query parameter under other spellings (403 GW-00010)', () => {
  let subjectApi: string;
  beforeAll(async () => {
    subjectApi = await registerApi(t, world, {
      upstreamUrl: `${upstream.url}/base`,
      subject: { in: 'query', name: 'person_id' },
    });
  });

  it.each([
    ['twice', (p: string) => `person_id=${p}&person_id=25922947409`],
    ['in another case (ASP.NET)', (p: string) => `person_id=${p}&PERSON_ID=25922947409`],
    ['as PHP reads `person.id`', (p: string) => `person_id=${p}&person.id=25922947409`],
    ['as an array (PHP)', (p: string) => `person_id=${p}&person_id[]=25922947409`],
    ['encoded', (p: string) => `person_id=${p}&person%5Fid=25922947409`],
    ['after a `;` separator', (p: string) => `person_id=${p}&x=1;person_id=25922947409`],
  ])('refuses a second subject %s', async (_what, query) => {
    const before = upstream.hits.length;
    const res = await get(`/proxy/${subjectApi}/x?${query(pid)}`);
    expectProblem(
      res,
      403,
      'GW-00010',
      'The subject in query parameter person_id is missing or is not the party that gave the consent.',
    );
    expect(upstream.hits.length).toBe(before);
  });

  it('forwards the one subject as sent', async () => {
    const res = await get(`/proxy/${subjectApi}/x?person_id=${pid}&personid=other`);
    expect(res.status).toBe(200);
    expect(upstream.hits[upstream.hits.length - 1].url).toBe(`/base/x?person_id=${pid}&personid=other`);
  });
});

describe('a client that goes away (client_closed, not GW-00012)', () => {
  async function outcomes(): Promise<Record<string, number>> {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const out: Record<string, number> = {};
    const re = new RegExp(`^gateway_requests_total\\{api="${api}",outcome="([^"]+)"\\} (\\d+)$`, 'gm');
    for (const m of text.matchAll(re)) out[m[1]] = Number(m[2]);
    return out;
  }

  /** Opens a connection, sends `before` requests (answered), then a slow one, and hangs up once the upstream has it. */
  async function abandon(answeredFirst: number): Promise<void> {
    const net = await import('node:net');
    const u = new URL(t.url);
    const socket = net.connect(Number(u.port), u.hostname);
    await new Promise((r) => socket.once('connect', r));
    const request = (path: string) =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: ${auth}\r\n\r\n`);
    for (let i = 0; i < answeredFirst; i++) {
      request(`/proxy/${api}/x`);
      await new Promise<void>((resolve) => {
        let seen = '';
        const onData = (c: Buffer) => {
          seen += c.toString('latin1');
          // The echo's JSON ends with bodyLength; the answer may be chunked (then a last chunk).
          if (/"bodyLength":\d+\}(?:\r\n0\r\n\r\n)?$/.test(seen)) {
            socket.off('data', onData);
            resolve();
          }
        };
        socket.on('data', onData);
      });
    }
    const hits = upstream.hits.length;
    request(`/proxy/${api}/slow/1500`);
    while (upstream.hits.length === hits) await new Promise((r) => setTimeout(r, 10));
    socket.destroy();
  }

  it('counts a call whose client hung up as client_closed, on a new and on a kept-alive connection', async () => {
    const before = await outcomes();
    await abandon(0);
    await abandon(2); // the connection's close listener predates this response's (the soak's case)
    let after = await outcomes();
    for (let i = 0; i < 50 && (after.client_closed ?? 0) - (before.client_closed ?? 0) < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await outcomes();
    }
    expect((after.client_closed ?? 0) - (before.client_closed ?? 0)).toBe(2);
    expect(after['GW-00012'] ?? 0).toBe(before['GW-00012'] ?? 0);
    expect(after.upstream_aborted ?? 0).toBe(before.upstream_aborted ?? 0);
    // The gateway is unharmed: the next call goes through.
    expect((await get(`/proxy/${api}/x`)).status).toBe(200);
  });
});

describe('other places where the gateway and an upstream could disagree', () => {
  const host = () => new URL(t.url).host;

  it('refuses Content-Length with Transfer-Encoding before the gateway runs (no smuggling)', async () => {
    const before = upstream.hits.length;
    const res = await rawExchange(
      t,
      `POST /proxy/${api}/x HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: ${auth}\r\nContent-Length: 4\r\n` +
        `Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /proxy/${api}/smuggled HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'STD-00400',
      detail: 'Content-Length and Transfer-Encoding must not be sent together.',
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(upstream.hits.length).toBe(before);
  });

  it('sends the upstream its own Host, whatever the client sent (trailing dot, none on HTTP/1.0)', async () => {
    const upstreamHost = new URL(upstream.url).host;
    const before = upstream.hits.length;
    const dotted = await rawExchange(
      t,
      `GET /proxy/${api}/x HTTP/1.1\r\nHost: evil.example.\r\nAuthorization: ${auth}\r\nConnection: close\r\n\r\n`,
    );
    expect(dotted.status).toBe(200);
    const http10 = await rawExchange(t, `GET /proxy/${api}/y HTTP/1.0\r\nAuthorization: ${auth}\r\n\r\n`);
    expect(http10.status).toBe(200);
    expect(upstream.hits.slice(before).map((h) => h.headers.host)).toEqual([upstreamHost, upstreamHost]);
  });

  it('drops headers that let frameworks replace the path or host (X-Original-URL, X-Rewrite-URL, X-Host)', async () => {
    const before = upstream.hits.length;
    const res = await get(`/proxy/${api}/x`, [
      ['authorization', auth],
      ['X-Original-URL', '/admin'],
      ['X-Rewrite-URL', '/admin'],
      ['X_Original_URL', '/admin'],
      ['X-Host', 'internal.example'],
      ['X-Forwarded-Prefix', '/admin'],
    ]);
    expect(res.status).toBe(200);
    expect(JSON.stringify(upstream.hits.slice(before)[0].headers)).not.toMatch(/admin|internal\.example/);
  });

  it('refuses two Content-Type headers (which one would the upstream read?)', async () => {
    const before = upstream.hits.length;
    const res = await rawRequest(t, {
      method: 'POST',
      path: `/proxy/${api}/x`,
      headers: [
        ['authorization', auth],
        ['content-type', 'application/json'],
        ['content-type', 'application/xml'],
        ['content-length', '2'],
      ],
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'GW-00002',
      detail: 'The request carries the content-type header more than once.',
    });
    expect(upstream.hits.length).toBe(before);
  });

  it('refuses TRACE (405) and never forwards it', async () => {
    const before = upstream.hits.length;
    const res = await rawRequest(t, {
      method: 'TRACE',
      path: `/proxy/${api}/x`,
      headers: [['authorization', auth]],
    });
    expect(res.status).toBe(405);
    expect(res.body).toMatchObject({ code: 'STD-00405', detail: 'TRACE is not allowed.' });
    expect(upstream.hits.length).toBe(before);
  });

  it('answers an Expect other than 100-continue with 417 problem+json, and forwards 100-continue bodies without Expect', async () => {
    const res = await rawExchange(
      t,
      `GET /proxy/${api}/x HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: ${auth}\r\nExpect: teapot\r\n\r\n`,
    );
    expect(res.status).toBe(417);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const before = upstream.hits.length;
    const ok = await rawRequest(t, {
      method: 'POST',
      path: `/proxy/${api}/x`,
      headers: [
        ['authorization', auth],
        ['expect', '100-continue'],
        ['content-length', '5'],
      ],
      body: 'hello',
    });
    expect(ok.status).toBe(200);
    const [hit] = upstream.hits.slice(before);
    expect(hit.bodyLength).toBe(5);
    expect(hit.headers.expect).toBeUndefined();
  });
});
