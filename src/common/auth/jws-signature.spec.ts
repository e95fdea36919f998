import { createPublicKey, generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { CompactSign } from 'jose';
import { parseCompactJws } from './compact-jws.js';
import type { AllowedAlgorithm } from './header-policy.js';
import { verifyJwsSignature } from './jws-signature.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaOther = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecOther = generateKeyPairSync('ec', { namedCurve: 'P-256' });

async function joseToken(
  alg: AllowedAlgorithm,
  privateKey: KeyObject,
  payload = { sub: 'x' },
): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg, kid: 'k' })
    .sign(privateKey);
}

function check(token: string, alg: AllowedAlgorithm, key: KeyObject): boolean {
  const p = parseCompactJws(token, 16 * 1024);
  return verifyJwsSignature(alg, key, p.signingInput, p.signature);
}

describe('verifyJwsSignature (node:crypto) agrees with jose', () => {
  it.each(['RS256', 'RS384', 'RS512'] as const)(
    '%s: accepts what jose signs, with the public key only',
    async (alg) => {
      const token = await joseToken(alg, rsa.privateKey);
      expect(check(token, alg, rsa.publicKey)).toBe(true);
      // The same key as imported from a JWK (how the JWKS cache holds it).
      const fromJwk = createPublicKey({ key: rsa.publicKey.export({ format: 'jwk' }), format: 'jwk' });
      expect(check(token, alg, fromJwk)).toBe(true);
    },
  );

  it('ES256: accepts what jose signs (raw r||s)', async () => {
    const token = await joseToken('ES256', ec.privateKey);
    expect(check(token, 'ES256', ec.publicKey)).toBe(true);
  });

  it.each([
    ['RS256', rsa, rsaOther],
    ['ES256', ec, ecOther],
  ] as const)(
    '%s: refuses another key, a changed payload and a changed signature',
    async (alg, pair, other) => {
      const token = await joseToken(alg, pair.privateKey);
      expect(check(token, alg, other.publicKey)).toBe(false);
      const [h, , s] = token.split('.');
      const forged = Buffer.from(JSON.stringify({ sub: 'y' })).toString('base64url');
      expect(check(`${h}.${forged}.${s}`, alg, pair.publicKey)).toBe(false);
      const sig = Buffer.from(s, 'base64url');
      sig[sig.length - 1] ^= 1;
      expect(
        check(`${token.slice(0, token.lastIndexOf('.'))}.${sig.toString('base64url')}`, alg, pair.publicKey),
      ).toBe(false);
    },
  );

  it('refuses a key of the wrong type for the algorithm (no RSA/EC confusion)', async () => {
    const rsToken = await joseToken('RS256', rsa.privateKey);
    const esToken = await joseToken('ES256', ec.privateKey);
    expect(check(rsToken, 'RS256', ec.publicKey)).toBe(false);
    expect(check(esToken, 'ES256', rsa.publicKey)).toBe(false);
    // The header claims ES256 but the token was signed RS256: the RSA key is never asked.
    expect(check(rsToken, 'ES256', rsa.publicKey)).toBe(false);
  });

  it('refuses an ES256 signature in DER form and one of the wrong length', async () => {
    const token = await joseToken('ES256', ec.privateKey);
    const input = token.slice(0, token.lastIndexOf('.'));
    const der = nodeSign('sha256', Buffer.from(input), ec.privateKey); // DER by default
    expect(check(`${input}.${der.toString('base64url')}`, 'ES256', ec.publicKey)).toBe(false);
    const raw = Buffer.from(token.split('.')[2], 'base64url');
    expect(check(`${input}.${raw.subarray(0, 63).toString('base64url')}`, 'ES256', ec.publicKey)).toBe(false);
  });

  it('refuses a truncated or padded RSA signature', async () => {
    const token = await joseToken('RS256', rsa.privateKey);
    const input = token.slice(0, token.lastIndexOf('.'));
    const raw = Buffer.from(token.split('.')[2], 'base64url');
    expect(check(`${input}.${raw.subarray(1).toString('base64url')}`, 'RS256', rsa.publicKey)).toBe(false);
    const padded = Buffer.concat([Buffer.from([0]), raw]);
    expect(check(`${input}.${padded.toString('base64url')}`, 'RS256', rsa.publicKey)).toBe(false);
  });
});
