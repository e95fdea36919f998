import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { ClientErrors } from './client-errors.js';
import { validateClientJwks } from './client-jwks.js';

function rsaJwk(bits = 2048, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { ...publicKey.export({ format: 'jwk' }), ...extra };
}

function ecJwk(extra: Record<string, unknown> = {}, curve = 'P-256'): Record<string, unknown> {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  return { ...publicKey.export({ format: 'jwk' }), ...extra };
}

describe('validateClientJwks', () => {
  it('accepts an RSA 2048 key and an EC P-256 key and keeps only their public members', async () => {
    const rsa = rsaJwk(2048, { kid: 'r1', use: 'sig', alg: 'RS256', x5c: ['MII…'], key_ops: ['verify'] });
    const ec = ecJwk({ kid: 'e1', alg: 'ES256' });
    const r = await validateClientJwks([rsa, ec]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.keys(r.keys[0]).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(Object.keys(r.keys[1]).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'x', 'y']);
  });

  it('refuses private material, naming the key and its private members', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const r = await validateClientJwks([
      rsaJwk(2048, { kid: 'ok' }),
      { ...privateKey.export({ format: 'jwk' }), kid: 'p' },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].code).toBe(ClientErrors.privateKey);
    expect(r.problems[0].paths).toEqual(
      expect.arrayContaining(['$.keys[1].d', '$.keys[1].p', '$.keys[1].qi']),
    );
  });

  it('refuses a symmetric key (k) as private material', async () => {
    const r = await validateClientJwks([{ kty: 'oct', kid: 's', k: 'c2VjcmV0' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ code: ClientErrors.privateKey, paths: ['$.keys[0].k'] });
  });

  it('refuses an RSA key under 2048 bits', async () => {
    const r = await validateClientJwks([rsaJwk(1024, { kid: 'small' })]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ code: ClientErrors.invalidKey, paths: ['$.keys[0].n'] });
  });

  it('refuses more than five keys before looking at any of them', async () => {
    const r = await validateClientJwks(Array.from({ length: 6 }, (_, i) => ({ kid: `k${i}` })));
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems).toEqual([
        expect.objectContaining({ code: ClientErrors.tooManyKeys, paths: ['$.keys'] }),
      ]);
  });

  it('refuses a duplicate kid', async () => {
    const r = await validateClientJwks([ecJwk({ kid: 'same' }), ecJwk({ kid: 'same' })]);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems).toEqual([
        expect.objectContaining({ code: ClientErrors.duplicateKid, paths: ['$.keys[1].kid'] }),
      ]);
  });

  it.each([
    ['a missing kid', () => ecJwk(), '$.keys[0].kid'],
    ['use "enc"', () => ecJwk({ kid: 'a', use: 'enc' }), '$.keys[0].use'],
    ['alg HS256', () => ecJwk({ kid: 'a', alg: 'HS256' }), '$.keys[0].alg'],
    ['an RSA alg on an EC key', () => ecJwk({ kid: 'a', alg: 'RS256' }), '$.keys[0].alg'],
    ['an EC alg on an RSA key', () => rsaJwk(2048, { kid: 'a', alg: 'ES256' }), '$.keys[0].alg'],
    ['curve P-384', () => ecJwk({ kid: 'a' }, 'P-384'), '$.keys[0].crv'],
    ['kty OKP', () => ({ kty: 'OKP', crv: 'Ed25519', x: 'AAAA', kid: 'a' }), '$.keys[0].kty'],
    [
      'a point not on the curve',
      () => ({ ...ecJwk({ kid: 'a' }), y: Buffer.alloc(32, 1).toString('base64url') }),
      '$.keys[0]',
    ],
    ['a non-base64url modulus', () => rsaJwk(2048, { kid: 'a', n: 'not base64!' }), '$.keys[0].n'],
    ['exponent 1', () => rsaJwk(2048, { kid: 'a', e: 'AQ' }), '$.keys[0].e'],
  ])('refuses %s', async (_name, make, path) => {
    const r = await validateClientJwks([make()]);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems).toEqual([expect.objectContaining({ code: ClientErrors.invalidKey, paths: [path] })]);
  });

  it('reports every bad key in one answer', async () => {
    const r = await validateClientJwks([rsaJwk(1024, { kid: 'a' }), 'nope', ecJwk({ kid: 'ok' }), ecJwk()]);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems.map((p) => p.paths[0])).toEqual(['$.keys[0].n', '$.keys[1]', '$.keys[3].kid']);
  });

  it('accepts an empty set (removes all keys)', async () => {
    expect(await validateClientJwks([])).toEqual({ ok: true, keys: [] });
  });
});
