import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { SigningKeysService } from '../../src/tokens/signing-keys.service.js';
import { TrustedIssuerRegistry } from '../../src/common/auth/trusted-issuer-registry.js';
import { ADMIN_ORG } from '../factories/registry.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { mintToken } from '../helpers/tokens.js';

/** The built-in issuer's keys, discovery document and rotation (DESIGN §4.5). */
describe('built-in issuer keys', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('publishes the current and the next key as public RSA keys only', async () => {
    const res = await fetch(`${t.url}/jwk`);
    expect(res.status).toBe(200);
    const jwks = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(2);
    for (const k of jwks.keys) {
      expect(k).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
      for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(k).not.toHaveProperty(priv);
    }
  });

  it('describes itself with RFC 8414 metadata including the consent authorization_details type', async () => {
    const meta = (await (await fetch(`${t.url}/.well-known/oauth-authorization-server`)).json()) as Record<
      string,
      unknown
    >;
    expect(meta).toMatchObject({
      issuer: `${t.url}/`,
      token_endpoint: `${t.url}/token`,
      jwks_uri: `${t.url}/jwk`,
      authorization_details_types_supported: ['urn:altinn:consent'],
    });
  });

  it('signs tokens that any resource server verifies with GET /jwk', async () => {
    const token = await mintToken(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${t.url}/jwk`)), {
      issuer: `${t.url}/`,
      algorithms: ['RS256'],
    });
    expect(payload.consumer).toEqual({ authority: 'iso6523-actorid-upis', ID: `0192:${ADMIN_ORG}` });
  });

  it('rotates: next becomes current, the old key stays published and its tokens stay valid', async () => {
    const keys = t.app.get(SigningKeysService);
    const before = await mintToken(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
    const oldKid = decodeProtectedHeader(before).kid;
    const published = ((await (await fetch(`${t.url}/jwk`)).json()) as { keys: { kid: string }[] }).keys.map(
      (k) => k.kid,
    );

    const rotated = await keys.rotate();
    expect(rotated.previous).toBe(oldKid);
    // The new signing key was published before it ever signed.
    expect(published).toContain(rotated.current);
    t.app.get(TrustedIssuerRegistry).invalidate();

    const after = await mintToken(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
    expect(decodeProtectedHeader(after).kid).toBe(rotated.current);
    const jwks = ((await (await fetch(`${t.url}/jwk`)).json()) as { keys: { kid: string }[] }).keys.map(
      (k) => k.kid,
    );
    expect(jwks).toEqual(expect.arrayContaining([oldKid, rotated.current, rotated.next]));

    for (const token of [before, after]) {
      const res = await fetch(`${t.url}/admin/v1/owners`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
    }
  });
});
