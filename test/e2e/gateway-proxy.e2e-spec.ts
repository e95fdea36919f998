import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ConsentsService } from '../../src/consents/consents.service.js';
import { TokenSignerService } from '../../src/tokens/token-signer.service.js';
import type { TestApp } from '../helpers/app.js';
import { startGatewayApp, type GatewayApp } from '../factories/gateway-app.js';
import { mintToken } from '../helpers/tokens.js';
import { orgNumber, personNumber } from '../factories/orgs.js';
import { sql } from '../factories/consent-fixtures.js';
import { expectProblem } from '../factories/problems.js';
import type { InsertedConsent } from '../factories/token-fixtures.js';
import {
  acceptedConsent,
  accessListWith,
  consentBearer,
  consentDetail,
  gatewayWorld,
  orgUrnOf,
  personUrnOf,
  proxy,
  rawLine,
  rawRequest,
  registerApi,
  startUpstream,
  type GatewayWorld,
  type Upstream,
} from '../factories/gateway-fixtures.js';

/**
 * `ANY /proxy/{name}/{path}` (DESIGN §4.9, §10): one test per check with the exact status and
 * problem body, and what the upstream does and does not receive. Real HTTP, a real upstream,
 * real tokens from the built-in issuer, real database.
 */

let gateway: GatewayApp;
let t: TestApp;
let upstream: Upstream;
let world: GatewayWorld;
let api: string;

// Outside production the detail names the failed check (docs/errors.md).
const INVALID_TOKEN = (check: string) => `The access token is invalid: ${check}`;
const DOT_SEGMENT =
  'The request path contains a "." or ".." segment, or one that a server reads as such (percent-encoded, with ";" parameters, with trailing dots or spaces, or a Unicode form).';
const ENCODED_SLASH =
  'The request path contains an encoded "/" (%2F) inside a segment; servers disagree on its meaning.';
const EMPTY_SEGMENT =
  'The request path contains an empty segment ("//", or a segment that is only ";" parameters).';
const BEARER_INVALID = 'Bearer realm="consent-gateway", error="invalid_token"';

beforeAll(async () => {
  gateway = await startGatewayApp();
  ({ t, upstream, world, api } = gateway);
});

afterAll(async () => {
  await gateway?.close();
});

async function authorised(o: Parameters<typeof acceptedConsent>[2] = {}) {
  const consent = await acceptedConsent(t, world, o);
  return { consent, auth: await consentBearer(t, world, consent) };
}

/** A token for a fresh accepted consent, signed by the issuer with these claims overridden. */
async function signedWith(extraClaims: Record<string, unknown>): Promise<string> {
  const consent = await acceptedConsent(t, world);
  const { token } = await t.app.get(TokenSignerService).sign({
    consumer: world.consumer,
    scope: world.scope,
    clientId: 'c',
    authorizationDetails: [consentDetail(consent)],
    extraClaims,
  });
  return `Bearer ${token}`;
}

function hitsSince(n: number) {
  return upstream.hits.slice(n);
}

describe('forwarding', () => {
  it('forwards method, path, query and body, and adds the verified consent context', async () => {
    const { consent, auth } = await authorised({ metadata: { inntektsaar: '2024', kilde: 'Skatteetaten' } });
    const before = upstream.hits.length;
    const res = await proxy(t, `/proxy/${api}/income/2024?year=2024&x=a%20b`, {
      method: 'POST',
      auth,
      headers: { 'content-type': 'text/plain', 'x-custom': 'kept' },
      body: 'hello gateway',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-upstream')).toBe('echo');
    const [hit] = hitsSince(before);
    expect(hit).toMatchObject({ method: 'POST', url: '/base/income/2024?year=2024&x=a%20b', bodyLength: 13 });
    expect(hit.headers).toMatchObject({
      'content-type': 'text/plain',
      'x-custom': 'kept',
      'x-consent-id': consent.id,
      'x-consent-from': consent.from,
      'x-consent-to': orgUrnOf(world.consumer),
      'x-consent-metadata': '{"inntektsaar":"2024","kilde":"Skatteetaten"}',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
    });
    expect(hit.headers['x-request-id']).toMatch(/^[A-Za-z0-9._-]{8,}$/);
    expect(res.body).toEqual(expect.objectContaining({ method: 'POST' }));
  });

  it('maps /proxy/{name} and /proxy/{name}?q to the upstream base path', async () => {
    const { auth } = await authorised();
    const before = upstream.hits.length;
    expect((await proxy(t, `/proxy/${api}`, { auth })).status).toBe(200);
    expect((await proxy(t, `/proxy/${api}?a=1`, { auth })).status).toBe(200);
    expect((await proxy(t, `/proxy/${api}/`, { auth })).status).toBe(200);
    expect(hitsSince(before).map((h) => h.url)).toEqual(['/base', '/base?a=1', '/base/']);
  });

  it('never lets Authorization or cookies reach the upstream', async () => {
    const { auth } = await authorised();
    const before = upstream.hits.length;
    const res = await proxy(t, `/proxy/${api}/x`, { auth, headers: { cookie: 'session=secret' } });
    expect(res.status).toBe(200);
    const [hit] = hitsSince(before);
    expect(hit.headers.authorization).toBeUndefined();
    expect(hit.headers.cookie).toBeUndefined();
    expect(JSON.stringify(hit.headers)).not.toContain(auth.slice(7, 40));
  });

  it('replaces client-sent X-Consent-* and X-Forwarded-* headers with the verified ones', async () => {
    const { consent, auth } = await authorised();
    const before = upstream.hits.length;
    const spoofed = personUrnOf(personNumber());
    const res = await rawRequest(t, {
      path: `/proxy/${api}/x`,
      headers: [
        ['authorization', auth],
        ['X-Consent-From', spoofed],
        ['x-consent-id', randomUUID()],
        ['X-Consent-Extra', 'injected'],
        ['x-forwarded-for', '10.9.8.7'],
        ['X-Forwarded-Host', 'evil.example'],
        ['forwarded', 'for=10.9.8.7'],
        ['x-real-ip', '10.9.8.7'],
        ['x-request-id', 'client-chosen-id'],
      ],
    });
    expect(res.status).toBe(200);
    const [hit] = hitsSince(before);
    expect(hit.headers['x-consent-from']).toBe(consent.from);
    expect(hit.headers['x-consent-id']).toBe(consent.id);
    expect(hit.headers['x-consent-extra']).toBeUndefined();
    expect(hit.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(hit.headers['x-forwarded-host']).toBeUndefined();
    expect(hit.headers.forwarded).toBeUndefined();
    expect(hit.headers['x-real-ip']).toBeUndefined();
    expect(rawHeaderCount(hit.headers, 'x-consent-from')).toBe(1);
  });

  it('removes hop-by-hop headers and the headers named in Connection', async () => {
    const { auth } = await authorised();
    const before = upstream.hits.length;
    const res = await rawRequest(t, {
      path: `/proxy/${api}/x`,
      headers: [
        ['authorization', auth],
        ['connection', 'keep-alive, x-hop-secret'],
        ['keep-alive', 'timeout=5'],
        ['x-hop-secret', 'do not forward'],
        ['te', 'trailers'],
        ['proxy-authorization', 'Basic abc'],
        ['x-end-to-end', 'forward me'],
      ],
    });
    expect(res.status).toBe(200);
    const [hit] = hitsSince(before);
    expect(hit.headers['x-hop-secret']).toBeUndefined();
    expect(hit.headers.te).toBeUndefined();
    expect(hit.headers['proxy-authorization']).toBeUndefined();
    expect(hit.headers['x-end-to-end']).toBe('forward me');
    // The upstream's own hop-by-hop headers do not come back either.
    expect(res.headers.get('keep-alive')).not.toBe('timeout=5');
  });

  it('passes the upstream status and body through, also for errors and HEAD', async () => {
    const { auth } = await authorised();
    const notFound = await proxy(t, `/proxy/${api}/status/404`, { auth });
    expect(notFound.status).toBe(404);
    expect(notFound.body).toMatchObject({ url: '/base/status/404' });
    const head = await proxy(t, `/proxy/${api}/x`, { method: 'HEAD', auth });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    const created = await proxy(t, `/proxy/${api}/status/201`, {
      method: 'PUT',
      auth,
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(created.status).toBe(201);
  });

  it('streams a 50 MB upload through without buffering it', async () => {
    const { auth } = await authorised();
    const before = upstream.hits.length;
    const chunk = Buffer.alloc(256 * 1024, 7);
    const total = 50 * 1024 * 1024;
    const receivedBefore = upstream.bytesReceived();
    // Halfway through, the client waits until the upstream has received body bytes. A gateway
    // that buffered the body would forward nothing before the client finished: the wait would
    // end empty-handed. (Deterministic, unlike the RSS bound this replaced, which a loaded
    // machine's GC timing could break.)
    let reachedUpstreamMidway = false;
    async function* body() {
      for (let sent = 0; sent < total; sent += chunk.length) {
        if (sent === total / 2) {
          for (let i = 0; i < 200 && upstream.bytesReceived() === receivedBefore; i++)
            await new Promise((r) => setTimeout(r, 50));
          reachedUpstreamMidway = upstream.bytesReceived() > receivedBefore;
        }
        yield chunk;
      }
    }
    const res = await rawRequest(t, {
      method: 'POST',
      path: `/proxy/${api}/upload`,
      headers: [
        ['authorization', auth],
        ['content-type', 'application/octet-stream'],
        ['content-length', String(total)],
      ],
      body: body(),
    });
    expect(res.status).toBe(200);
    expect(reachedUpstreamMidway).toBe(true);
    expect(hitsSince(before)[0].bodyLength).toBe(total);
  });

  it('streams a chunked upload of unknown length', async () => {
    const { auth } = await authorised();
    const before = upstream.hits.length;
    async function* body() {
      for (let i = 0; i < 10; i++) yield Buffer.alloc(1000, 1);
    }
    const res = await rawRequest(t, {
      method: 'POST',
      path: `/proxy/${api}/chunked`,
      headers: [['authorization', auth]],
      body: body(),
    });
    expect(res.status).toBe(200);
    expect(hitsSince(before)[0].bodyLength).toBe(10_000);
  });
});

describe('request shape (400 GW-00002)', () => {
  it('refuses an absolute-form target, whatever the path, before it reaches any route', async () => {
    const before = upstream.hits.length;
    const res = await rawLine(t, `GET http://evil.example/proxy/${api}/x HTTP/1.1`);
    expectProblem(
      res,
      400,
      'GW-00002',
      'The request target must be a path (origin-form); absolute-form and authority-form targets are refused.',
    );
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const other = await rawLine(t, 'GET http://evil.example/health/live HTTP/1.1');
    expect(other.status).toBe(400);
    expect(other.body.code).toBe('GW-00002');
    expect(hitsSince(before)).toHaveLength(0);
  });

  it.each([
    [`/proxy/API/%2e%2e/admin`, DOT_SEGMENT],
    [`/proxy/API/x/../../admin`, DOT_SEGMENT],
    [`/proxy/API/%252e%252e/admin`, DOT_SEGMENT],
    [`/proxy/API/v1/2024/..;/..;/admin`, DOT_SEGMENT],
    [`/proxy/API/..%2fadmin`, ENCODED_SLASH],
    [`/proxy//API/x`, EMPTY_SEGMENT],
    [`//evil.example/proxy/API/x`, EMPTY_SEGMENT],
    [`/proxy/API/a%5c..%5cb`, 'The request path contains a backslash (also when percent-encoded).'],
    [
      `/proxy/API/a%00b`,
      'The request target contains a NUL or control character (also when percent-encoded).',
    ],
    [`/proxy/API/${'a'.repeat(4100)}`, 'The request target is longer than 4096 characters.'],
  ])('refuses %s', async (target, detail) => {
    const { auth } = await authorised();
    const before = upstream.hits.length;
    const res = await rawRequest(t, { path: target.replace('API', api), headers: [['authorization', auth]] });
    expectProblem(res, 400, 'GW-00002', detail);
    expect(hitsSince(before)).toHaveLength(0);
  });

  it('refuses two Authorization headers and a transfer coding other than chunked', async () => {
    const { auth } = await authorised();
    const twice = await rawRequest(t, {
      path: `/proxy/${api}/x`,
      headers: [
        ['authorization', auth],
        ['authorization', 'Bearer other'],
      ],
    });
    expectProblem(twice, 400, 'GW-00002', 'The request carries the authorization header more than once.');
  });
});

describe('route (404 GW-00001)', () => {
  it('answers 404 for an API that is not registered', async () => {
    const { auth } = await authorised();
    const res = await proxy(t, '/proxy/no-such-api/x', { auth });
    expectProblem(res, 404, 'GW-00001', 'No protected API is registered under this name.');
    expect((await proxy(t, '/proxy', { auth })).body.code).toBe('GW-00001');
    expect((await proxy(t, '/proxy/', { auth })).body.code).toBe('GW-00001');
  });
});

describe('token (401 GW-00003)', () => {
  it('answers 401 without a token, with WWW-Authenticate', async () => {
    const res = await proxy(t, `/proxy/${api}/x`);
    expectProblem(res, 401, 'GW-00003', 'This endpoint requires a bearer access token.');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="consent-gateway"');
  });

  it.each([
    ['a malformed token', 'Bearer not-a-jwt'],
    ['a token with a bad signature', 'BAD_SIGNATURE'],
    ['a non-bearer scheme', 'Basic Zm9vOmJhcg=='],
  ])('answers 401 for %s', async (_what, value) => {
    const { auth } = await authorised();
    const header = value === 'BAD_SIGNATURE' ? `${auth.slice(0, -6)}AAAAAA` : value;
    const res = await proxy(t, `/proxy/${api}/x`, { auth: header });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('GW-00003');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="consent-gateway"/);
  });

  it('answers 401 for a token whose consumer claim is bad', async () => {
    const res = await proxy(t, `/proxy/${api}/x`, {
      auth: await signedWith({ consumer: { authority: 'iso6523-actorid-upis', ID: '0192:123456789' } }),
    });
    expectProblem(
      res,
      401,
      'GW-00003',
      INVALID_TOKEN(
        'its consumer (or supplier) claim must be {"authority":"iso6523-actorid-upis","ID":"0192:<organisation number>"} with a valid organisation number.',
      ),
    );
    expect(res.headers.get('www-authenticate')).toBe(BEARER_INVALID);
  });

  it('answers 401 for a scope claim that is not a string', async () => {
    const res = await proxy(t, `/proxy/${api}/x`, { auth: await signedWith({ scope: [world.scope] }) });
    expectProblem(
      res,
      401,
      'GW-00003',
      INVALID_TOKEN('its scope claim must be a string of space-separated scopes.'),
    );
  });

  it('requires the API audience in aud when the API sets one, and ignores aud otherwise', async () => {
    const audience = 'https://api.example/inntekt';
    const withAud = await registerApi(t, world, { upstreamUrl: upstream.url, audience });
    const consent = await acceptedConsent(t, world);
    const none = await consentBearer(t, world, consent);
    const wrong = await consentBearer(t, world, consent, { audience: 'https://other.example' });
    const right = await consentBearer(t, world, consent, { audience });
    const refused = await proxy(t, `/proxy/${withAud}/x`, { auth: none });
    expectProblem(
      refused,
      401,
      'GW-00003',
      INVALID_TOKEN(
        `it has no aud; this API requires "${audience}" (ask /token for it with resource=${audience}).`,
      ),
    );
    expect((await proxy(t, `/proxy/${withAud}/x`, { auth: wrong })).status).toBe(401);
    expect((await proxy(t, `/proxy/${withAud}/x`, { auth: right })).status).toBe(200);
    // An API without `audience` takes any aud.
    expect((await proxy(t, `/proxy/${api}/x`, { auth: wrong })).status).toBe(200);
  });
});

describe('scopes (403 GW-00004)', () => {
  it('answers 403 insufficient_scope when a required scope is missing', async () => {
    const consent = await acceptedConsent(t, world);
    const auth = await consentBearer(t, world, consent, { scope: 'other:scope' });
    const res = await proxy(t, `/proxy/${api}/x`, { auth });
    expectProblem(
      res,
      403,
      'GW-00004',
      `The access token lacks a required scope (requires all of: ${world.scope}).`,
    );
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="consent-gateway", error="insufficient_scope", scope="${world.scope}"`,
    );
  });

  it('answers 403 when the token has no scope claim at all', async () => {
    const res = await proxy(t, `/proxy/${api}/x`, { auth: await signedWith({ scope: undefined }) });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('GW-00004');
  });
});

describe('consent details (403 GW-00005, 401 GW-00009)', () => {
  it.each([
    [
      'no authorization_details',
      undefined,
      'The access token carries no urn:altinn:consent authorization detail.',
    ],
    ['an object instead of an array', 'OBJECT', 'authorization_details must be an array.'],
    [
      'a member without a string type',
      'NO_TYPE',
      'Every authorization detail must be an object with a string type.',
    ],
    [
      'no consent detail',
      'OTHER_TYPE',
      'The access token must carry exactly one urn:altinn:consent authorization detail (found 0).',
    ],
    [
      'two consent details',
      'TWO',
      'The access token must carry exactly one urn:altinn:consent authorization detail (found 2).',
    ],
  ])('answers 403 for %s', async (_what, kind, detail) => {
    const consent = await acceptedConsent(t, world);
    const d = consentDetail(consent);
    const details: Record<string, unknown> = {
      OBJECT: d,
      NO_TYPE: [d, { id: 'x' }],
      OTHER_TYPE: [{ type: 'urn:example:other' }],
      TWO: [d, consentDetail(consent)],
    };
    const token = await mintToken(t, {
      org: world.consumer,
      scope: world.scope,
      authorizationDetails: kind === undefined ? undefined : (details[kind] as unknown[]),
    });
    const res = await proxy(t, `/proxy/${api}/x`, { auth: `Bearer ${token}` });
    expectProblem(res, 403, 'GW-00005', detail);
  });

  it.each([
    ['id', { id: 'not-a-uuid' }],
    ['from', { from: 'urn:altinn:person:identifier-no:12345678901' }],
    ['to', { to: { authority: 'iso6523-actorid-upis', ID: '991825827' } }],
    ['consented', { consented: 'yesterday' }],
    ['validTo', { validTo: 12 }],
    ['consentRights', { consentRights: [{ action: 'consent', resource: [] }] }],
  ])('answers 401 GW-00009 for a malformed %s inside the consent detail', async (field, override) => {
    const consent = await acceptedConsent(t, world);
    const auth = await consentBearer(t, world, consent, { details: [consentDetail(consent, override)] });
    const res = await proxy(t, `/proxy/${api}/x`, { auth });
    expectProblem(
      res,
      401,
      'GW-00009',
      `The consent authorization detail has a missing or malformed "${field}".`,
    );
    expect(res.headers.get('www-authenticate')).toBe(BEARER_INVALID);
  });
});

describe('consent coverage (403 GW-00006)', () => {
  it('answers 403 when the consent names a resource this API does not honour', async () => {
    const other = await gatewayWorld(t);
    const consent = await acceptedConsent(t, world, { resource: other.resource });
    const auth = await consentBearer(t, world, consent);
    const res = await proxy(t, `/proxy/${api}/x`, { auth });
    expectProblem(
      res,
      403,
      'GW-00006',
      'The consent does not give the action "consent" on any consent resource this API honours.',
    );
  });

  it('answers 403 when the rights lack the API’s required action', async () => {
    const readApi = await registerApi(t, world, { upstreamUrl: upstream.url, requiredAction: 'read' });
    const { auth } = await authorised();
    const res = await proxy(t, `/proxy/${readApi}/x`, { auth });
    expectProblem(
      res,
      403,
      'GW-00006',
      'The consent does not give the action "read" on any consent resource this API honours.',
    );
  });
});

describe('consent recipient (403 GW-00007)', () => {
  it('answers 403 when the consent was given to another organisation', async () => {
    const consent = await acceptedConsent(t, world, { toOrg: orgNumber() });
    const auth = await consentBearer(t, world, consent, { org: world.consumer });
    const res = await proxy(t, `/proxy/${api}/x`, { auth });
    expectProblem(
      res,
      403,
      'GW-00007',
      'The consent was not given to the organisation the token was issued to.',
    );
  });
});

describe('access list (403 GW-00008)', () => {
  it('lets members through and refuses others when the resource’s access list is enabled', async () => {
    const listed = await gatewayWorld(t, { accessListMode: 'Enabled' });
    const member = listed.consumer;
    await accessListWith(t, listed, [member]);
    const listedApi = await registerApi(t, listed, { upstreamUrl: upstream.url });

    const ok = await acceptedConsent(t, listed);
    expect(
      (await proxy(t, `/proxy/${listedApi}/x`, { auth: await consentBearer(t, listed, ok) })).status,
    ).toBe(200);

    const outsider = orgNumber();
    const theirs = await acceptedConsent(t, listed, { toOrg: outsider });
    const res = await proxy(t, `/proxy/${listedApi}/x`, {
      auth: await consentBearer(t, listed, theirs, { org: outsider }),
    });
    expectProblem(res, 403, 'GW-00008', "The consumer is not on the consent resource's access list.");
  });
});

describe('consent state (401 GW-00009)', () => {
  it('refuses a revoked consent on the very next request', async () => {
    const { consent, auth } = await authorised();
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).status).toBe(200);
    await t.app.get(ConsentsService).revoke(consent.id, { personId: consent.from.split(':').pop()! });
    const res = await proxy(t, `/proxy/${api}/x`, { auth });
    expectProblem(res, 401, 'GW-00009', 'The consent is revoked.');
    expect(res.headers.get('www-authenticate')).toBe(BEARER_INVALID);
  });

  it('refuses a consent that is unknown here, or not accepted', async () => {
    const ghost = { ...(await acceptedConsent(t, world)), id: randomUUID() };
    const unknown = await proxy(t, `/proxy/${api}/x`, { auth: await consentBearer(t, world, ghost) });
    expectProblem(unknown, 401, 'GW-00009', 'The consent is unknown.');
    for (const status of ['created', 'rejected', 'deleted', 'used'] as const) {
      const c = await acceptedConsent(t, world, { status });
      const res = await proxy(t, `/proxy/${api}/x`, {
        auth: await consentBearer(t, world, { ...c, consented: c.consented ?? new Date() }),
      });
      expect({ status, code: res.body.code, http: res.status }).toEqual({
        status,
        code: 'GW-00009',
        http: 401,
      });
    }
  });

  it('refuses a consent once its validTo has passed', async () => {
    const consent = await acceptedConsent(t, world, { validTo: new Date(Date.now() + 1500) });
    const auth = await consentBearer(t, world, consent);
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    const res = await proxy(t, `/proxy/${api}/x`, { auth });
    expectProblem(res, 401, 'GW-00009', 'The consent is expired.');
  });

  it.each([
    ['from', () => ({ from: personUrnOf(personNumber()) })],
    [
      'validTo',
      (c: InsertedConsent) => ({ validTo: new Date(c.validTo.getTime() + 86_400_000).toISOString() }),
    ],
    [
      'consented',
      (c: InsertedConsent) => ({ consented: new Date(c.consented!.getTime() - 1000).toISOString() }),
    ],
    [
      'consentRights metadata',
      (c: InsertedConsent) => ({
        consentRights: [{ ...(c.consentRights[0] as object), metadata: { inntektsaar: '1999' } }],
      }),
    ],
  ] as Array<[string, (c: InsertedConsent) => Record<string, unknown>]>)(
    'refuses a token whose %s differs from the stored consent',
    async (_field, change) => {
      const consent = await acceptedConsent(t, world);
      const auth = await consentBearer(t, world, consent, {
        details: [consentDetail(consent, change(consent))],
      });
      const res = await proxy(t, `/proxy/${api}/x`, { auth });
      expectProblem(res, 401, 'GW-00009', 'The consent in the token does not match the stored consent.');
    },
  );

  it('trusts the signed details for an API with consentSource "token", checking validTo and consented', async () => {
    const tokenApi = await registerApi(t, world, { upstreamUrl: upstream.url, consentSource: 'token' });
    const external = { ...(await acceptedConsent(t, world)), id: randomUUID() }; // not known here
    expect(
      (await proxy(t, `/proxy/${tokenApi}/x`, { auth: await consentBearer(t, world, external) })).status,
    ).toBe(200);
    const expired = await consentBearer(t, world, external, {
      details: [consentDetail(external, { validTo: new Date(Date.now() - 1000).toISOString() })],
    });
    const res = await proxy(t, `/proxy/${tokenApi}/x`, { auth: expired });
    expectProblem(res, 401, 'GW-00009', 'The consent has expired.');
    const future = await consentBearer(t, world, external, {
      details: [consentDetail(external, { consented: new Date(Date.now() + 3_600_000).toISOString() })],
    });
    expect((await proxy(t, `/proxy/${tokenApi}/x`, { auth: future })).body.code).toBe('GW-00009');
  });
});

describe('subject (403 GW-00010)', () => {
  it('requires the subject header to name the party that consented (bare number or URN)', async () => {
    const subjectApi = await registerApi(t, world, {
      upstreamUrl: upstream.url,
      subject: { in: 'header', name: 'X-Subject' },
    });
    const { consent, auth } = await authorised();
    const pid = consent.from.split(':').pop()!;
    const missing = await proxy(t, `/proxy/${subjectApi}/x`, { auth });
    expectProblem(
      missing,
      403,
      'GW-00010',
      'The subject in header X-Subject is missing or is not the party that gave the consent.',
    );
    expect(
      (await proxy(t, `/proxy/${subjectApi}/x`, { auth, headers: { 'x-subject': personNumber() } })).status,
    ).toBe(403);
    expect((await proxy(t, `/proxy/${subjectApi}/x`, { auth, headers: { 'x-subject': pid } })).status).toBe(
      200,
    );
    expect(
      (await proxy(t, `/proxy/${subjectApi}/x`, { auth, headers: { 'x-subject': consent.from } })).status,
    ).toBe(200);
  });

  it('requires exactly one matching subject query parameter', async () => {
    const subjectApi = await registerApi(t, world, {
      upstreamUrl: upstream.url,
      subject: { in: 'query', name: 'fnr' },
    });
    const { consent, auth } = await authorised();
    const pid = consent.from.split(':').pop()!;
    const res = await proxy(t, `/proxy/${subjectApi}/x?fnr=${personNumber()}`, { auth });
    expectProblem(
      res,
      403,
      'GW-00010',
      'The subject in query parameter fnr is missing or is not the party that gave the consent.',
    );
    expect((await proxy(t, `/proxy/${subjectApi}/x?fnr=${pid}&fnr=${pid}`, { auth })).status).toBe(403);
    expect((await proxy(t, `/proxy/${subjectApi}/x?fnr=${pid}`, { auth })).status).toBe(200);
  });
});

describe('rate limits (429 GW-00011)', () => {
  it('answers 429 with Retry-After once a consumer exceeds the API’s limit', async () => {
    const limited = await registerApi(t, world, {
      upstreamUrl: upstream.url,
      rateLimit: { perConsumer: { requests: 2, perSeconds: 60 } },
    });
    const { auth } = await authorised();
    expect((await proxy(t, `/proxy/${limited}/x`, { auth })).status).toBe(200);
    expect((await proxy(t, `/proxy/${limited}/x`, { auth })).status).toBe(200);
    const res = await proxy(t, `/proxy/${limited}/x`, { auth });
    expectProblem(res, 429, 'GW-00011', 'Too many requests for this consumer; retry later.');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('limits per consent independently of other consents', async () => {
    const limited = await registerApi(t, world, {
      upstreamUrl: upstream.url,
      rateLimit: { perConsent: { requests: 1, perSeconds: 60 } },
    });
    const a = await authorised();
    const b = await authorised();
    expect((await proxy(t, `/proxy/${limited}/x`, { auth: a.auth })).status).toBe(200);
    const res = await proxy(t, `/proxy/${limited}/x`, { auth: a.auth });
    expect(res.status).toBe(429);
    expect(res.body.detail).toBe('Too many requests for this consent; retry later.');
    expect((await proxy(t, `/proxy/${limited}/x`, { auth: b.auth })).status).toBe(200);
  });
});

describe('body size (413 GW-00016)', () => {
  it('refuses a declared or streamed body over maxBodyBytes', async () => {
    const small = await registerApi(t, world, { upstreamUrl: upstream.url, maxBodyBytes: 1000 });
    const { auth } = await authorised();
    const before = upstream.hits.length;
    const declared = await proxy(t, `/proxy/${small}/x`, { method: 'POST', auth, body: Buffer.alloc(1001) });
    expectProblem(
      declared,
      413,
      'GW-00016',
      'The request body is larger than this API accepts (1000 bytes).',
    );
    async function* chunks() {
      for (let i = 0; i < 5; i++) yield Buffer.alloc(400);
    }
    const streamed = await rawRequest(t, {
      method: 'POST',
      path: `/proxy/${small}/x`,
      headers: [['authorization', auth]],
      body: chunks(),
    });
    expect(streamed.status).toBe(413);
    expect(streamed.body.code).toBe('GW-00016');
    expect(hitsSince(before).filter((h) => h.bodyLength > 1000)).toHaveLength(0);
    expect(
      (await proxy(t, `/proxy/${small}/x`, { method: 'POST', auth, body: Buffer.alloc(1000) })).status,
    ).toBe(200);
  });
});

describe('upstream failures', () => {
  it('answers 502 GW-00012 when the upstream refuses connections', async () => {
    const dead = await startUpstream();
    await dead.close();
    const deadApi = await registerApi(t, world, { upstreamUrl: dead.url });
    const { auth } = await authorised();
    const res = await proxy(t, `/proxy/${deadApi}/x`, { auth });
    expectProblem(res, 502, 'GW-00012', 'The protected API could not be reached.');
  });

  it('answers 504 GW-00013 when the upstream is slower than timeoutMs, and never hangs', async () => {
    const slowApi = await registerApi(t, world, { upstreamUrl: upstream.url, timeoutMs: 300 });
    const { auth } = await authorised();
    const started = Date.now();
    const res = await proxy(t, `/proxy/${slowApi}/hang`, { auth });
    expectProblem(res, 504, 'GW-00013', 'The protected API did not answer in time.');
    expect(Date.now() - started).toBeLessThan(2500);
    expect((await proxy(t, `/proxy/${slowApi}/slow/50`, { auth })).status).toBe(200);
  });
});

describe('operations', () => {
  it('counts requests by API and outcome in /metrics', async () => {
    const { auth } = await authorised();
    await proxy(t, `/proxy/${api}/x`, { auth });
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toContain(`gateway_requests_total{api="${api}",outcome="upstream_2xx"}`);
    expect(text).toContain(`gateway_check_duration_seconds_bucket{le="0.001",api="${api}"}`);
    expect(text).toContain(`gateway_upstream_duration_seconds_count{api="${api}"}`);
    expect(text).toMatch(/gateway_cache_lookups_total\{cache="consent",result="hit"\}/);
  });

  it('writes usage counters per consumer, consent and outcome, readable by the owner', async () => {
    const usageApi = await registerApi(t, world, { upstreamUrl: upstream.url });
    const { consent, auth } = await authorised();
    await proxy(t, `/proxy/${usageApi}/x`, { auth });
    await proxy(t, `/proxy/${usageApi}/x`, { auth });
    await proxy(t, `/proxy/${usageApi}/status/500`, { auth });
    await proxy(t, `/proxy/${usageApi}/x`);
    const res = await fetch(`${t.url}/admin/v1/apis/${usageApi}/usage`, {
      headers: { authorization: world.owner.auth },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: Array<Record<string, unknown>> };
    const rows = body.data.map(({ minute: _m, ...r }) => r);
    expect(rows).toEqual(
      expect.arrayContaining([
        { consumer: world.consumer, consentId: consent.id, outcome: 'upstream_2xx', count: 2 },
        { consumer: world.consumer, consentId: consent.id, outcome: 'upstream_5xx', count: 1 },
        { consumer: '', consentId: '', outcome: 'GW-00003', count: 1 },
      ]),
    );
    const rowsInDb = await sql(t, 'SELECT sum(count)::int AS n FROM gateway_usage WHERE api_name = $1', [
      usageApi,
    ]);
    expect(rowsInDb[0].n).toBe(4);
  });
});

function rawHeaderCount(headers: Record<string, unknown>, name: string): number {
  const v = headers[name];
  return v === undefined ? 0 : Array.isArray(v) ? v.length : typeof v === 'string' ? v.split(',').length : 1;
}
