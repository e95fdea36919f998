import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { buildKeySet, InvalidJwksError } from './jwk-set.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaJwk = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa' } as JsonWebKey & { kid: string };
const rsaPrivateJwk = { ...rsa.privateKey.export({ format: 'jwk' }), kid: 'rsa-private' };
const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
const weakJwk = { ...weak.publicKey.export({ format: 'jwk' }), kid: 'weak' };
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecJwk = { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec' } as JsonWebKey & { kid: string };
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const p384Jwk = { ...p384.publicKey.export({ format: 'jwk' }), kid: 'p384' };
const ed = generateKeyPairSync('ed25519');
const edJwk = { ...ed.publicKey.export({ format: 'jwk' }), kid: 'ed' };

describe('buildKeySet', () => {
  it('keeps public RSA ≥ 2048 and EC P-256 signature keys', () => {
    const { keys, usable, dropped } = buildKeySet({ keys: [rsaJwk, { ...ecJwk, use: 'sig', alg: 'ES256' }] });
    expect(usable).toBe(2);
    expect(dropped).toBe(0);
    expect(keys.get('rsa')?.[0]).toMatchObject({ kid: 'rsa', kty: 'RSA' });
    expect(keys.get('ec')?.[0]).toMatchObject({ kid: 'ec', kty: 'EC', alg: 'ES256' });
  });

  it.each([
    ['RSA 1024', weakJwk],
    ['private RSA key (d)', rsaPrivateJwk],
    ['a public key with a stray "d"', { ...rsaJwk, d: 'AQAB' }],
    ['a symmetric key', { kty: 'oct', k: 'c2VjcmV0', kid: 'oct' }],
    ['EC P-384', p384Jwk],
    ['Ed25519', edJwk],
    ['use "enc"', { ...rsaJwk, use: 'enc' }],
    ['key_ops without verify', { ...rsaJwk, key_ops: ['encrypt'] }],
    ['alg outside the allow-list', { ...rsaJwk, alg: 'PS256' }],
    ['alg of another key type', { ...rsaJwk, alg: 'ES256' }],
    ['HS256 alg', { ...rsaJwk, alg: 'HS256' }],
    ['no kid', { ...rsaJwk, kid: undefined }],
    ['a numeric kid', { ...rsaJwk, kid: 5 }],
    ['a kid over 256 characters', { ...rsaJwk, kid: 'k'.repeat(257) }],
    ['exponent 1', { ...rsaJwk, e: 'AQ' }],
    ['an even exponent', { ...rsaJwk, e: 'AAQ' }],
    ['a non-base64url modulus', { ...rsaJwk, n: 'not base64!' }],
    ['an EC point off the curve', { ...ecJwk, y: ecJwk.x }],
    ['EC coordinates of the wrong length', { ...ecJwk, x: 'AAAA' }],
    ['not an object', 'rsa'],
    ['null', null],
  ])('drops %s', (_what, jwk) => {
    const { usable, dropped } = buildKeySet({ keys: [jwk] });
    expect(usable).toBe(0);
    expect(dropped).toBe(1);
  });

  it('keeps the first of two keys with the same kid and type, but one RSA and one EC may share a kid', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
    const { keys, usable, dropped } = buildKeySet({
      keys: [rsaJwk, { ...other, kid: 'rsa' }, { ...ecJwk, kid: 'rsa' }],
    });
    expect(usable).toBe(2);
    expect(dropped).toBe(1);
    expect(keys.get('rsa')?.map((k) => k.kty)).toEqual(['RSA', 'EC']);
    expect(keys.get('rsa')?.[0].key.export({ format: 'jwk' }).n).toBe(rsaJwk.n);
  });

  it.each([
    ['an array', []],
    ['null', null],
    ['keys not an array', { keys: {} }],
    ['no keys', { kty: 'RSA' }],
  ])('refuses a document that is %s', (_what, doc) => {
    expect(() => buildKeySet(doc)).toThrow(InvalidJwksError);
  });
});
