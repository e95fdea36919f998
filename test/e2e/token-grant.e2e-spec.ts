import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { AssertionReplayStore } from '../../src/tokens/assertion-replay.store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { orgNumber } from '../factories/orgs.js';
import {
  consumerWithClient,
  createScope,
  deactivateScope,
  delegateScope,
  generateClientKey,
  grantScope,
  JWT_BEARER,
  postToken,
  registerClient,
  requestToken,
  revokeGrant,
  signAssertion,
  updateClient,
  type HttpResult,
  type TestClient,
  type TestScope,
} from '../factories/token-fixtures.js';
import { expectOAuthError, tokenWorld, verifyIssued } from '../factories/token-world.js';

/**
 * `POST /token` (DESIGN §4.5, §10): the JWT-bearer grant over real HTTP, with clients, keys,
 * scopes and grants set up through the APIs, real client keys, and issued tokens verified
 * against `GET /jwk`.
 */

let t: TestApp;
let prisma: PrismaService;
let scope: TestScope;
let client: TestClient;

beforeAll(async () => {
  t = await createTestApp();
  ({ prisma, scope, client } = await tokenWorld(t));
});

afterAll(async () => {
  await t?.close();
});

const usedAssertions = (clientId: string) => prisma.usedAssertion.count({ where: { clientId } });
const auditRows = (clientId: string, action: string) =>
  prisma.auditEntry.findMany({
    where: { objectType: 'client', objectId: clientId, action },
    orderBy: { id: 'asc' },
  });

describe('issuing a token', () => {
  it('issues a Maskinporten-shaped RS256 token for a valid assertion signed with the client key', async () => {
    const res = await requestToken(t, client);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 120,
      scope: scope.name,
    });

    const header = decodeProtectedHeader(res.body.access_token);
    expect(header.alg).toBe('RS256');
    const jwks = (await (await fetch(`${t.url}/jwk`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);

    const claims = await verifyIssued(t, res.body.access_token);
    expect(claims).toEqual({
      scope: scope.name,
      iss: `${t.url}/`,
      client_amr: 'private_key_jwt',
      token_type: 'Bearer',
      iat: expect.any(Number),
      exp: expect.any(Number),
      client_id: client.clientId,
      jti: expect.any(String),
      consumer: { authority: 'iso6523-actorid-upis', ID: `0192:${client.orgNumber}` },
    });
    expect(claims.exp! - claims.iat!).toBe(120);
    expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(5);
  });

  it('gives every token its own jti', async () => {
    const [a, b] = [await requestToken(t, client), await requestToken(t, client)];
    const [ca, cb] = [await verifyIssued(t, a.body.access_token), await verifyIssued(t, b.body.access_token)];
    expect(ca.jti).not.toBe(cb.jti);
  });

  it('audits the issuance with client, scopes and token id, never the token itself', async () => {
    const res = await requestToken(t, client);
    const claims = await verifyIssued(t, res.body.access_token);
    const rows = await auditRows(client.clientId, 'token.issued');
    const row = rows.find((r) => (r.after as { jti?: string }).jti === claims.jti);
    expect(row).toMatchObject({
      actorOrg: client.orgNumber,
      actorClient: client.clientId,
      ownerOrg: client.orgNumber,
      after: { scopes: [scope.name], consumer: client.orgNumber, supplier: null, consentId: null },
    });
    const trail = JSON.stringify(rows.map((r) => [r.before, r.after]));
    expect(trail).not.toContain(res.body.access_token);
    expect(trail).not.toContain(res.body.access_token.split('.')[2]);
  });

  it.each(['RS384', 'RS512', 'ES256'] as const)(
    'accepts an assertion signed %s with a matching client key',
    async (alg) => {
      const { client: c } = await consumerWithClient(t, { alg });
      const res = await requestToken(t, c);
      expect(res.status).toBe(200);
      expect((await verifyIssued(t, res.body.access_token)).client_id).toBe(c.clientId);
    },
  );

  it('takes the lifetime from the scope at_max_age', async () => {
    const { client: c } = await consumerWithClient(t, { atMaxAge: 300 });
    const res = await requestToken(t, c);
    expect(res.body.expires_in).toBe(300);
    const claims = await verifyIssued(t, res.body.access_token);
    expect(claims.exp! - claims.iat!).toBe(300);
  });

  it('uses the shortest at_max_age when several scopes are requested', async () => {
    const long = await createScope(t, { atMaxAge: 600 });
    const short = await createScope(t, { atMaxAge: 180 });
    const org = orgNumber();
    await grantScope(t, long, org);
    await grantScope(t, short, org);
    const c = await registerClient(t, { org, scopes: [long.name, short.name] });
    const res = await requestToken(t, c);
    expect(res.status).toBe(200);
    expect(res.body.expires_in).toBe(180);
    expect(res.body.scope).toBe(`${long.name} ${short.name}`);
  });

  it('grants a subset of the client scopes when only that is requested', async () => {
    const other = await createScope(t);
    const org = orgNumber();
    await grantScope(t, scope, org);
    await grantScope(t, other, org);
    const c = await registerClient(t, { org, scopes: [scope.name, other.name] });
    const res = await requestToken(t, c, { claims: { scope: other.name } });
    expect(res.status).toBe(200);
    expect((await verifyIssued(t, res.body.access_token)).scope).toBe(other.name);
  });

  it('accepts scope as a form parameter (RFC 7523) when the assertion has none', async () => {
    const res = await requestToken(t, client, { claims: { scope: undefined }, form: { scope: scope.name } });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe(scope.name);
  });

  it('sets aud from an RFC 8707 resource form parameter, and leaves it out otherwise', async () => {
    const res = await requestToken(t, client, { form: { resource: 'https://api.example.no/inntekt' } });
    expect(res.status).toBe(200);
    expect((await verifyIssued(t, res.body.access_token)).aud).toBe('https://api.example.no/inntekt');

    const two = await requestToken(t, client, {
      form: { resource: ['https://a.example.no/', 'https://b.example.no/'] },
    });
    expect((await verifyIssued(t, two.body.access_token)).aud).toEqual([
      'https://a.example.no/',
      'https://b.example.no/',
    ]);

    const claimed = await requestToken(t, client, { claims: { resource: 'https://c.example.no/' } });
    expect((await verifyIssued(t, claimed.body.access_token)).aud).toBe('https://c.example.no/');
  });

  it('refuses a resource that is not an absolute URI with invalid_target', async () => {
    expectOAuthError(
      await requestToken(t, client, { form: { resource: 'not a uri' } }),
      400,
      'invalid_target',
    );
  });

  it('issues tokens the service itself accepts as bearer tokens', async () => {
    const res = await requestToken(t, client);
    const api = await fetch(`${t.url}/api/v1/clients`, {
      headers: { authorization: `Bearer ${res.body.access_token}` },
    });
    // The token carries only the owner's scope, so the API refuses on scope (403), not on the token (401).
    expect(api.status).toBe(403);
  });
});

describe('assertion rules', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it('refuses an assertion whose aud is not exactly this issuer (400 invalid_grant)', async () => {
    for (const aud of [
      `${t.url}`,
      `${t.url}/token`,
      'https://test.maskinporten.no/',
      [`${t.url}/`, 'https://x/'],
    ])
      expectOAuthError(await requestToken(t, client, { claims: { aud } }), 400, 'invalid_grant');
  });

  it('accepts aud as a one-element array', async () => {
    expect((await requestToken(t, client, { claims: { aud: [`${t.url}/`] } })).status).toBe(200);
  });

  it('refuses an expired assertion', async () => {
    expectOAuthError(
      await requestToken(t, client, { claims: { iat: now() - 8, exp: now() - 1 } }),
      400,
      'invalid_grant',
    );
  });

  it('refuses an assertion living 121 seconds and accepts one living exactly 120', async () => {
    expectOAuthError(
      await requestToken(t, client, { claims: { iat: now(), exp: now() + 121 } }),
      400,
      'invalid_grant',
    );
    expect((await requestToken(t, client, { claims: { iat: now(), exp: now() + 120 } })).status).toBe(200);
  });

  it('refuses iat more than 10 seconds away from now, either way', async () => {
    expectOAuthError(
      await requestToken(t, client, { claims: { iat: now() + 15, exp: now() + 60 } }),
      400,
      'invalid_grant',
    );
    expectOAuthError(
      await requestToken(t, client, { claims: { iat: now() - 15, exp: now() + 60 } }),
      400,
      'invalid_grant',
    );
    expect((await requestToken(t, client, { claims: { iat: now() - 5, exp: now() + 60 } })).status).toBe(200);
  });

  it('refuses missing exp, iat or jti', async () => {
    for (const missing of ['exp', 'iat', 'jti'])
      expectOAuthError(
        await requestToken(t, client, { claims: { [missing]: undefined } }),
        400,
        'invalid_grant',
      );
  });

  it('refuses a replayed jti and stores it once', async () => {
    const assertion = await signAssertion(t, client);
    const before = await usedAssertions(client.clientId);
    expect((await postToken(t, { grant_type: JWT_BEARER, assertion })).status).toBe(200);
    expectOAuthError(await postToken(t, { grant_type: JWT_BEARER, assertion }), 400, 'invalid_grant');
    expect(await usedAssertions(client.clientId)).toBe(before + 1);
  });

  it('refuses a jti reused in a new assertion of the same client', async () => {
    const jti = randomUUID();
    expect((await requestToken(t, client, { claims: { jti } })).status).toBe(200);
    expectOAuthError(await requestToken(t, client, { claims: { jti } }), 400, 'invalid_grant');
  });

  it('lets two clients use the same jti (ids are per client)', async () => {
    const { client: other } = await consumerWithClient(t);
    const jti = randomUUID();
    expect((await requestToken(t, client, { claims: { jti } })).status).toBe(200);
    expect((await requestToken(t, other, { claims: { jti } })).status).toBe(200);
  });

  it('accepts one of two concurrent requests with the same assertion', async () => {
    const assertion = await signAssertion(t, client);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => postToken(t, { grant_type: JWT_BEARER, assertion })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400]);
    for (const r of results.filter((x) => x.status === 400)) expect(r.body.error).toBe('invalid_grant');
  });

  it('accepts one of two concurrent requests with the same assertion on two replicas', async () => {
    // A second app on the same database and the same public URL: two replicas behind a balancer.
    const replica = await createTestApp({ db: t.db, env: { PUBLIC_URL: t.url } });
    try {
      const assertion = await signAssertion(t, client);
      const [a, b] = await Promise.all([
        postToken(t, { grant_type: JWT_BEARER, assertion }),
        postToken({ ...t, url: replica.url }, { grant_type: JWT_BEARER, assertion }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 400]);
      expect([a, b].find((r) => r.status === 400)!.body.error).toBe('invalid_grant');
    } finally {
      await replica.close();
    }
  });

  it('refuses an unknown kid with 401 invalid_client', async () => {
    const stranger = await generateClientKey('RS256');
    expectOAuthError(await requestToken(t, client, { key: stranger }), 401, 'invalid_client');
  });

  it('refuses an assertion signed with the key of another client', async () => {
    const { client: other } = await consumerWithClient(t);
    // The other client's key and kid: that kid is not registered on this client.
    expectOAuthError(await requestToken(t, client, { key: other.key }), 401, 'invalid_client');
    // The other client's key under this client's kid: the signature does not verify.
    expectOAuthError(
      await requestToken(t, client, { key: { ...other.key, kid: client.key.kid } }),
      401,
      'invalid_client',
    );
  });

  it('refuses an assertion for an unknown or deactivated client', async () => {
    expectOAuthError(await requestToken(t, client, { claims: { iss: randomUUID() } }), 401, 'invalid_client');
    const { client: c } = await consumerWithClient(t);
    await updateClient(t, c, { active: false });
    expectOAuthError(await requestToken(t, c), 401, 'invalid_client');
  });

  it('refuses HS256 signed with the public key as the secret', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(client.key.publicJwk));
    const now0 = now();
    const assertion = await new SignJWT({
      aud: `${t.url}/`,
      iss: client.clientId,
      scope: scope.name,
      iat: now0,
      exp: now0 + 60,
      jti: randomUUID(),
    })
      .setProtectedHeader({ alg: 'HS256', kid: client.key.kid })
      .sign(secret);
    expectOAuthError(await postToken(t, { grant_type: JWT_BEARER, assertion }), 401, 'invalid_client');
  });

  it('refuses alg none', async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now0 = now();
    const claims = {
      aud: `${t.url}/`,
      iss: client.clientId,
      scope: scope.name,
      iat: now0,
      exp: now0 + 60,
      jti: randomUUID(),
    };
    for (const assertion of [
      `${b64({ alg: 'none', kid: client.key.kid })}.${b64(claims)}.`,
      `${b64({ alg: 'none', kid: client.key.kid })}.${b64(claims)}`,
    ])
      expectOAuthError(await postToken(t, { grant_type: JWT_BEARER, assertion }), 401, 'invalid_client');
  });

  it('refuses a header that carries its own key or names a key URL', async () => {
    expectOAuthError(
      await requestToken(t, client, { header: { jwk: client.key.publicJwk } }),
      401,
      'invalid_client',
    );
    expectOAuthError(
      await requestToken(t, client, { header: { jku: 'https://evil.example/jwks' } }),
      401,
      'invalid_client',
    );
    expectOAuthError(await requestToken(t, client, { header: { typ: 'at+jwt' } }), 401, 'invalid_client');
  });

  it('refuses a malformed assertion with 401 invalid_client', async () => {
    for (const assertion of ['not-a-jwt', 'a.b.c', 'x'.repeat(9000)])
      expectOAuthError(await postToken(t, { grant_type: JWT_BEARER, assertion }), 401, 'invalid_client');
  });

  it('names the failed client-authentication check outside production', async () => {
    // Production answers a and b alike (test/e2e/token-refusals.e2e-spec.ts).
    const stranger = await generateClientKey('RS256');
    const a = await requestToken(t, client, { key: stranger });
    const b = await requestToken(t, client, { claims: { iss: randomUUID() } });
    const c = await postToken(t, { grant_type: JWT_BEARER, assertion: 'a.b.c' });
    expect([a.body, b.body, c.body]).toEqual([
      {
        error: 'invalid_client',
        error_description:
          'Invalid assertion. Client authentication failed: the client has no registered key with that kid.',
      },
      {
        error: 'invalid_client',
        error_description:
          'Invalid assertion. Client authentication failed: no active client has iss as its client_id.',
      },
      {
        error: 'invalid_client',
        error_description: 'Invalid assertion. It is not a compact JWS (three base64url parts of JSON).',
      },
    ]);
  });

  it('stores no jti and issues nothing when client authentication fails', async () => {
    const before = await usedAssertions(client.clientId);
    const issuedBefore = (await auditRows(client.clientId, 'token.issued')).length;
    await requestToken(t, client, { key: await generateClientKey('RS256') });
    expect(await usedAssertions(client.clientId)).toBe(before);
    expect((await auditRows(client.clientId, 'token.issued')).length).toBe(issuedBefore);
  });

  it('records which check failed in the audit trail, and names it in the response', async () => {
    const { client: c } = await consumerWithClient(t);
    const res = await requestToken(t, c, { claims: { aud: 'https://wrong.example/' } });
    expect(res.body.error_description).toBe(
      `Invalid assertion. aud must be this issuer's identifier, "${t.url}/".`,
    );
    const rows = await auditRows(c.clientId, 'token.refused');
    expect(rows.map((r) => r.after)).toContainEqual(
      expect.objectContaining({ error: 'invalid_grant', reason: 'aud' }),
    );
  });
});

describe('request shape', () => {
  it('refuses another grant_type with unsupported_grant_type', async () => {
    const assertion = await signAssertion(t, client);
    expectOAuthError(
      await postToken(t, { grant_type: 'client_credentials', assertion }),
      400,
      'unsupported_grant_type',
    );
  });

  it('refuses a request without grant_type or assertion with invalid_request', async () => {
    expectOAuthError(
      await postToken(t, { assertion: await signAssertion(t, client) }),
      400,
      'invalid_request',
    );
    expectOAuthError(await postToken(t, { grant_type: JWT_BEARER }), 400, 'invalid_request');
  });

  it('refuses a repeated parameter with invalid_request', async () => {
    const assertion = await signAssertion(t, client);
    expectOAuthError(
      await postToken(t, { grant_type: JWT_BEARER, assertion: [assertion, assertion] }),
      400,
      'invalid_request',
    );
  });

  it('refuses a missing scope with invalid_request', async () => {
    expectOAuthError(await requestToken(t, client, { claims: { scope: undefined } }), 400, 'invalid_request');
  });

  it('refuses a JSON body, a malformed JSON body and a body without content type in OAuth JSON', async () => {
    const assertion = await signAssertion(t, client);
    const send = async (body: string, contentType?: string) => {
      const res = await fetch(`${t.url}/token`, {
        method: 'POST',
        headers: contentType ? { 'content-type': contentType } : {},
        body,
      });
      const text = await res.text();
      const result: HttpResult = { status: res.status, headers: res.headers, body: JSON.parse(text), text };
      return result;
    };
    expectOAuthError(
      await send(JSON.stringify({ grant_type: JWT_BEARER, assertion }), 'application/json'),
      400,
      'invalid_request',
    );
    expectOAuthError(await send('{"grant_type":', 'application/json'), 400, 'invalid_request');
    expectOAuthError(await send('<xml/>', 'application/xml'), 400, 'invalid_request');
    expectOAuthError(await send(`grant_type=${encodeURIComponent(JWT_BEARER)}`), 400, 'invalid_request');
  });

  it('refuses an oversized form body in OAuth JSON', async () => {
    const res = await postToken(t, { grant_type: JWT_BEARER, assertion: 'x'.repeat(70 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('invalid_request');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answers a chunked body over the server limit in OAuth JSON too', async () => {
    // No Content-Length: the size is only known while parsing, after the route's early checks.
    const chunk = new TextEncoder().encode('a'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ >= 20) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${t.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      duplex: 'half',
    });
    const text = await res.text();
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(text)).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
  });

  it('refuses a form body with broken percent-encoding without a server error', async () => {
    const res = await fetch(`${t.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=%zz&assertion=%E0%A4%A',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(['invalid_request', 'unsupported_grant_type']).toContain(
      ((await res.json()) as { error: string }).error,
    );
  });

  it('ignores unknown parameters (RFC 6749 §3.2)', async () => {
    expect((await requestToken(t, client, { form: { client_id: client.clientId, foo: 'bar' } })).status).toBe(
      200,
    );
  });

  it('refuses a form parameter that contradicts the assertion claim', async () => {
    expectOAuthError(
      await requestToken(t, client, { form: { scope: 'other:scope' } }),
      400,
      'invalid_request',
    );
  });
});

describe('scopes', () => {
  it('refuses a scope the client is not registered for with invalid_scope', async () => {
    const other = await createScope(t);
    await grantScope(t, other, client.orgNumber);
    expectOAuthError(await requestToken(t, client, { claims: { scope: other.name } }), 400, 'invalid_scope');
  });

  it('refuses a scope that is not granted to the client org', async () => {
    const s = await createScope(t);
    const c = await registerClient(t, { scopes: [s.name] });
    expectOAuthError(await requestToken(t, c), 400, 'invalid_scope');
  });

  it('refuses a scope whose grant was revoked', async () => {
    const { scope: s, client: c } = await consumerWithClient(t);
    expect((await requestToken(t, c)).status).toBe(200);
    await revokeGrant(t, s, c.orgNumber);
    expectOAuthError(await requestToken(t, c), 400, 'invalid_scope');
  });

  it('refuses a deactivated scope', async () => {
    const { scope: s, client: c } = await consumerWithClient(t);
    await deactivateScope(t, s);
    expectOAuthError(await requestToken(t, c), 400, 'invalid_scope');
  });

  it('refuses an unknown scope and a malformed scope string', async () => {
    expectOAuthError(
      await requestToken(t, client, { claims: { scope: 'nobody:nothing' } }),
      400,
      'invalid_scope',
    );
    expectOAuthError(
      await requestToken(t, client, { claims: { scope: `${scope.name}  x:y` } }),
      400,
      'invalid_scope',
    );
  });

  it('refuses the whole request when one of several scopes is not allowed', async () => {
    expectOAuthError(
      await requestToken(t, client, { claims: { scope: `${scope.name} nobody:nothing` } }),
      400,
      'invalid_scope',
    );
  });
});

describe('supplier flow (consumer_org)', () => {
  let consumerOrg: string;
  let supplier: TestClient;
  let s: TestScope;

  beforeAll(async () => {
    s = await createScope(t);
    consumerOrg = orgNumber();
    const supplierOrg = orgNumber();
    await grantScope(t, s, consumerOrg);
    supplier = await registerClient(t, { org: supplierOrg, scopes: [s.name] });
  });

  it('refuses a consumer that has not delegated the scope with unauthorized_client', async () => {
    expectOAuthError(
      await requestToken(t, supplier, { claims: { consumer_org: consumerOrg } }),
      400,
      'unauthorized_client',
    );
  });

  it('issues a token with consumer = consumer_org and supplier = the client org once delegated', async () => {
    await delegateScope(t, s.name, consumerOrg, supplier.orgNumber);
    const res = await requestToken(t, supplier, { claims: { consumer_org: consumerOrg } });
    expect(res.status).toBe(200);
    const claims = await verifyIssued(t, res.body.access_token);
    expect(claims.consumer).toEqual({ authority: 'iso6523-actorid-upis', ID: `0192:${consumerOrg}` });
    expect(claims.supplier).toEqual({ authority: 'iso6523-actorid-upis', ID: `0192:${supplier.orgNumber}` });
    expect(claims.delegation_source).toBe(`${t.url}/`);
    expect(claims.client_id).toBe(supplier.clientId);

    const viaForm = await requestToken(t, supplier, { form: { consumer_org: consumerOrg } });
    expect((await verifyIssued(t, viaForm.body.access_token)).supplier).toEqual(claims.supplier);
  });

  it('audits a supplier token with both organisations', async () => {
    const res = await requestToken(t, supplier, { claims: { consumer_org: consumerOrg } });
    const claims = await verifyIssued(t, res.body.access_token);
    const rows = await auditRows(supplier.clientId, 'token.issued');
    expect(rows.find((r) => (r.after as { jti?: string }).jti === claims.jti)?.after).toMatchObject({
      consumer: consumerOrg,
      supplier: supplier.orgNumber,
    });
  });

  it('refuses the supplier when the consumer itself lacks the grant', async () => {
    expectOAuthError(
      await requestToken(t, supplier, { claims: { consumer_org: orgNumber() } }),
      400,
      'invalid_scope',
    );
  });

  it('treats consumer_org = the client org as the ordinary flow', async () => {
    const res = await requestToken(t, client, { claims: { consumer_org: client.orgNumber } });
    expect(res.status).toBe(200);
    expect((await verifyIssued(t, res.body.access_token)).supplier).toBeUndefined();
  });

  it('refuses an invalid consumer_org with invalid_request', async () => {
    expectOAuthError(
      await requestToken(t, supplier, { claims: { consumer_org: '123456789' } }),
      400,
      'invalid_request',
    );
  });
});

describe('used assertion ids', () => {
  it('purges ids of expired assertions and keeps live ones', async () => {
    const store = t.app.get(AssertionReplayStore);
    const { client: c } = await consumerWithClient(t);
    await prisma.usedAssertion.create({
      data: { clientId: c.clientId, jti: 'old', expiresAt: new Date(Date.now() - 3600_000) },
    });
    await prisma.usedAssertion.create({
      data: { clientId: c.clientId, jti: 'live', expiresAt: new Date(Date.now() + 60_000) },
    });
    expect(await store.purgeExpired()).toBeGreaterThanOrEqual(1);
    const left = await prisma.usedAssertion.findMany({ where: { clientId: c.clientId } });
    expect(left.map((r) => r.jti)).toEqual(['live']);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the per-client limit, and other clients are unaffected', async () => {
    const limited = await createTestApp({ db: t.db, env: { TOKEN_RATE_LIMIT_PER_SECOND: '3' } });
    try {
      const { client: c } = await consumerWithClient(limited);
      const { client: d } = await consumerWithClient(limited);
      const results = await Promise.all(Array.from({ length: 5 }, () => requestToken(limited, c)));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const refused = results.find((r) => r.status === 429)!;
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.body).toEqual({
        error: 'temporarily_unavailable',
        error_description: expect.any(String),
      });
      expect((await requestToken(limited, d)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
