/**
 * JOSE header rules (DESIGN §3, RFC 8725). The header is attacker-controlled until the signature
 * is checked, so it may only *select* among keys we already trust: never supply or point to keys.
 */
import { InvalidTokenError } from './auth-errors.js';

export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256'] as const;
export type AllowedAlgorithm = (typeof ALLOWED_ALGORITHMS)[number];

export const MAX_KID_LENGTH = 256;

/**
 * jku/x5u/jwk/x5c: key material or key URLs chosen by the token → key injection / SSRF.
 * crit: extensions we do not implement must make the token fail (RFC 7515 §4.1.11).
 * b64: RFC 7797 unencoded payloads change what is signed. zip/enc/epk: JWE members.
 * cty: nested JWTs are not supported.
 */
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64', 'zip', 'enc', 'epk', 'cty'] as const;

/** Explicit typing (RFC 8725 §3.11): if `typ` is present it must say "this is a JWT access token". */
const ACCEPTED_TYP = new Set(['jwt', 'at+jwt', 'application/jwt', 'application/at+jwt']);

export interface VerifiedHeader {
  alg: AllowedAlgorithm;
  kid: string;
}

function isAllowedAlgorithm(v: unknown): v is AllowedAlgorithm {
  return typeof v === 'string' && (ALLOWED_ALGORITHMS as readonly string[]).includes(v);
}

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export function checkHeader(header: Record<string, unknown>): VerifiedHeader {
  for (const name of FORBIDDEN_HEADERS) {
    if (Object.hasOwn(header, name)) throw new InvalidTokenError('header');
  }
  const { alg, kid, typ } = header;
  if (!isAllowedAlgorithm(alg)) throw new InvalidTokenError('algorithm');
  // kid is only ever a Map key, so any string is safe; bound it and refuse control characters
  // so it can never smuggle anything into logs.
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH || hasControlCharacter(kid))
    throw new InvalidTokenError('kid');
  if (typ !== undefined && (typeof typ !== 'string' || !ACCEPTED_TYP.has(typ.toLowerCase())))
    throw new InvalidTokenError('header');
  return { alg, kid };
}
