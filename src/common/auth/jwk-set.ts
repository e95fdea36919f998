/**
 * Turns a fetched JWKS document into the keys we are willing to verify with. A key that is not
 * clearly a public signature key of an allowed type and strength is dropped, never "fixed":
 * - kty other than RSA or EC P-256 (we allow RS256/384/512 and ES256 only);
 * - any private member (d, p, q, dp, dq, qi, oth, k): the issuer published a secret, so the key
 *   cannot be trusted to be theirs alone;
 * - `use` other than "sig", `key_ops` without "verify", an `alg` outside the allow-list;
 * - RSA under 2048 bits (DESIGN §3), over 8192 bits (verification cost), or a silly exponent;
 * - a missing/oversized kid (tokens must name a kid, so a kid-less key can never be selected);
 * - a second key with the same kid and key type (ambiguous; the first wins).
 * Import through node:crypto validates the numbers (e.g. EC point on the curve).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { ALLOWED_ALGORITHMS, MAX_KID_LENGTH } from './header-policy.js';
import { isJsonObject } from './strict-json.js';

export type KeyType = 'RSA' | 'EC';

export interface VerificationKey {
  kid: string;
  kty: KeyType;
  /** The JWK's `alg` if it declared one: then only that algorithm may be used with it. */
  alg?: string;
  key: KeyObject;
}

/** kid → candidate keys (at most one per key type). */
export type KeySet = ReadonlyMap<string, readonly VerificationKey[]>;

export interface BuiltKeySet {
  keys: KeySet;
  usable: number;
  dropped: number;
}

export class InvalidJwksError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidJwksError';
  }
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 8192;
const B64URL = /^[A-Za-z0-9_-]+$/;

function b64urlBytes(v: unknown): Buffer | null {
  if (typeof v !== 'string' || !B64URL.test(v)) return null;
  return Buffer.from(v, 'base64url');
}

function importRsa(jwk: Record<string, unknown>): KeyObject | null {
  const n = b64urlBytes(jwk.n);
  const e = b64urlBytes(jwk.e);
  if (!n || !e || e.length > 4) return null;
  const key = createPublicKey({ key: { kty: 'RSA', n: jwk.n as string, e: jwk.e as string }, format: 'jwk' });
  const details = key.asymmetricKeyDetails;
  const bits = details?.modulusLength ?? 0;
  const exponent = details?.publicExponent ?? 0n;
  // e = 1 would make every "signature" verify; e must be an odd number ≥ 3.
  if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS || exponent < 3n || exponent % 2n === 0n) return null;
  return key;
}

function importEc(jwk: Record<string, unknown>): KeyObject | null {
  if (jwk.crv !== 'P-256') return null;
  const x = b64urlBytes(jwk.x);
  const y = b64urlBytes(jwk.y);
  if (!x || !y || x.length !== 32 || y.length !== 32) return null;
  return createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: jwk.x as string, y: jwk.y as string },
    format: 'jwk',
  });
}

function toVerificationKey(jwk: unknown): VerificationKey | null {
  if (!isJsonObject(jwk)) return null;
  if (PRIVATE_MEMBERS.some((m) => Object.hasOwn(jwk, m))) return null;
  const { kty, kid, use, alg } = jwk;
  const keyOps = jwk.key_ops;
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH) return null;
  if (use !== undefined && use !== 'sig') return null;
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes('verify'))) return null;
  if (
    alg !== undefined &&
    !(typeof alg === 'string' && (ALLOWED_ALGORITHMS as readonly string[]).includes(alg))
  )
    return null;
  if (kty === 'RSA') {
    if (typeof alg === 'string' && !alg.startsWith('RS')) return null;
    const key = importRsa(jwk);
    return key ? { kid, kty, alg, key } : null;
  }
  if (kty === 'EC') {
    if (typeof alg === 'string' && alg !== 'ES256') return null;
    const key = importEc(jwk);
    return key ? { kid, kty, alg, key } : null;
  }
  return null;
}

/** Throws InvalidJwksError when the document is not `{keys:[…]}`; drops unusable keys otherwise. */
export function buildKeySet(doc: unknown): BuiltKeySet {
  if (!isJsonObject(doc) || !Array.isArray(doc.keys)) throw new InvalidJwksError('not a JWK Set');
  const keys = new Map<string, VerificationKey[]>();
  let usable = 0;
  let dropped = 0;
  for (const jwk of doc.keys) {
    let vk: VerificationKey | null = null;
    try {
      vk = toVerificationKey(jwk);
    } catch {
      vk = null; // node:crypto refused the numbers
    }
    const existing = vk ? keys.get(vk.kid) : undefined;
    if (!vk || existing?.some((k) => k.kty === vk.kty)) {
      dropped++;
      continue;
    }
    if (existing) existing.push(vk);
    else keys.set(vk.kid, [vk]);
    usable++;
  }
  return { keys, usable, dropped };
}
