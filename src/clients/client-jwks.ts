/**
 * Validation of the public keys a client uploads (Maskinporten `POST /clients/{id}/jwks`).
 * The rules mirror what the token verifier accepts (common/auth/jwk-set.ts), so a key that is
 * stored here can always verify the client's assertions — except that here a bad key is a 400
 * naming the key, never silently dropped: the whole set is refused and nothing is stored.
 */
import type { JsonWebKey, webcrypto } from 'node:crypto';
import { importJWK } from 'jose';
import type { ValidationProblem } from '../common/errors/domain-error.js';
import { ClientErrors } from './client-errors.js';

export const MAX_CLIENT_KEYS = 5;
export const MAX_KID_LENGTH = 256;
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 8192;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'] as const;
const RSA_ALGS = ['RS256', 'RS384', 'RS512'];
const B64URL = /^[A-Za-z0-9_-]+$/;

/** What is stored and served: public members only, everything else (x5c, key_ops, …) dropped. */
export type PublicJwk = JsonWebKey & { kid: string; kty: 'RSA' | 'EC' };

export type JwksValidation = { ok: true; keys: PublicJwk[] } | { ok: false; problems: ValidationProblem[] };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function b64url(v: unknown): Buffer | null {
  return typeof v === 'string' && B64URL.test(v) ? Buffer.from(v, 'base64url') : null;
}

/** Big-endian bytes → bigint (WebCrypto's publicExponent). */
function toBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** One key: the problem text, or the public JWK to store. */
async function checkKey(
  jwk: Record<string, unknown>,
  path: string,
): Promise<{ problem: ValidationProblem } | { key: PublicJwk }> {
  const bad = (title: string, member?: string) => ({
    problem: { code: ClientErrors.invalidKey, title, paths: [member ? `${path}.${member}` : path] },
  });
  const { kid, kty, use, alg } = jwk;
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)
    return bad(`kid is required (1-${MAX_KID_LENGTH} characters)`, 'kid');
  if (use !== undefined && use !== 'sig') return bad('use must be "sig" when present', 'use');
  if (alg !== undefined && !(typeof alg === 'string' && [...RSA_ALGS, 'ES256'].includes(alg)))
    return bad('alg must be one of RS256, RS384, RS512, ES256', 'alg');

  if (kty === 'RSA') {
    if (typeof alg === 'string' && !RSA_ALGS.includes(alg))
      return bad(`alg ${alg} does not fit an RSA key`, 'alg');
    const n = b64url(jwk.n);
    const e = b64url(jwk.e);
    if (!n) return bad('n must be base64url', 'n');
    if (!e || e.length > 4) return bad('e must be a base64url exponent', 'e');
    const pub = { kty: 'RSA', n: jwk.n as string, e: jwk.e as string };
    let key: webcrypto.CryptoKey;
    try {
      key = (await importJWK(pub, typeof alg === 'string' ? alg : 'RS256')) as webcrypto.CryptoKey;
    } catch {
      return bad('not a valid RSA public key');
    }
    const algorithm = key.algorithm as webcrypto.RsaHashedKeyAlgorithm;
    if (algorithm.modulusLength < MIN_RSA_BITS || algorithm.modulusLength > MAX_RSA_BITS)
      return bad(
        `RSA key is ${algorithm.modulusLength} bits; ${MIN_RSA_BITS}-${MAX_RSA_BITS} bits are accepted`,
        'n',
      );
    const exponent = toBigInt(algorithm.publicExponent);
    // e = 1 would let anything "verify"; a real exponent is odd and at least 3.
    if (exponent < 3n || exponent % 2n === 0n) return bad('e must be an odd exponent of at least 3', 'e');
    return {
      key: {
        ...pub,
        kty: 'RSA',
        kid,
        ...(use ? { use: 'sig' } : {}),
        ...(typeof alg === 'string' ? { alg } : {}),
      },
    };
  }

  if (kty === 'EC') {
    if (jwk.crv !== 'P-256') return bad('only the EC curve P-256 is accepted', 'crv');
    if (typeof alg === 'string' && alg !== 'ES256') return bad(`alg ${alg} does not fit a P-256 key`, 'alg');
    const x = b64url(jwk.x);
    const y = b64url(jwk.y);
    if (!x || x.length !== 32) return bad('x must be 32 bytes, base64url', 'x');
    if (!y || y.length !== 32) return bad('y must be 32 bytes, base64url', 'y');
    const pub = { kty: 'EC', crv: 'P-256', x: jwk.x as string, y: jwk.y as string };
    try {
      // Import checks that the point is on the curve.
      await importJWK(pub, 'ES256');
    } catch {
      return bad('not a valid P-256 public key');
    }
    return {
      key: { ...pub, kty: 'EC', kid, ...(use ? { use: 'sig' } : {}), ...(alg ? { alg: 'ES256' } : {}) },
    };
  }

  return bad('kty must be "RSA" or "EC"', 'kty');
}

/**
 * Checks a whole JWKS upload and reports every problem at once (one 400), each naming the key
 * by index: `$.keys[2].d`. Private material is reported before anything else about that key,
 * because that mistake matters most (the key must be considered leaked).
 */
export async function validateClientJwks(keys: unknown[]): Promise<JwksValidation> {
  if (keys.length > MAX_CLIENT_KEYS)
    return {
      ok: false,
      problems: [
        {
          code: ClientErrors.tooManyKeys,
          title: `A client holds at most ${MAX_CLIENT_KEYS} keys; ${keys.length} were sent`,
          paths: ['$.keys'],
        },
      ],
    };
  const problems: ValidationProblem[] = [];
  const out: PublicJwk[] = [];
  const seen = new Map<string, number>();
  for (const [i, jwk] of keys.entries()) {
    const path = `$.keys[${i}]`;
    if (!isObject(jwk)) {
      problems.push({ code: ClientErrors.invalidKey, title: `Key ${i} is not a JSON object`, paths: [path] });
      continue;
    }
    const secret = PRIVATE_MEMBERS.filter((m) => Object.hasOwn(jwk, m));
    if (secret.length) {
      problems.push({
        code: ClientErrors.privateKey,
        title: `Key ${i} contains private key material (${secret.join(', ')}); upload public keys only, and treat this key as compromised`,
        paths: secret.map((m) => `${path}.${m}`),
      });
      continue;
    }
    if (typeof jwk.kid === 'string') {
      const first = seen.get(jwk.kid);
      if (first !== undefined) {
        problems.push({
          code: ClientErrors.duplicateKid,
          title: `Key ${i} has the same kid as key ${first}; kids must be unique within a client`,
          paths: [`${path}.kid`],
        });
        continue;
      }
      seen.set(jwk.kid, i);
    }
    const checked = await checkKey(jwk, path);
    if ('problem' in checked) {
      problems.push({ ...checked.problem, title: `Key ${i}: ${checked.problem.title}` });
      continue;
    }
    out.push(checked.key);
  }
  return problems.length ? { ok: false, problems } : { ok: true, keys: out };
}
