/**
 * PKCE (RFC 7636) for the admin login: S256 only. `plain` would send the verifier itself
 * through the browser, where the code travels too, so it protects nothing; it is refused.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const PKCE_METHOD = 'S256';
/** BASE64URL(SHA256(verifier)) is always 43 characters of the base64url alphabet. */
export const CODE_CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** RFC 7636 §4.1: 43-128 unreserved characters. */
export const CODE_VERIFIER_PATTERN = /^[A-Za-z0-9._~-]{43,128}$/;

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** True when `verifier` is well-formed and hashes to `challenge` (compared in constant time). */
export function verifierMatches(verifier: string, challenge: string): boolean {
  if (!CODE_VERIFIER_PATTERN.test(verifier) || !CODE_CHALLENGE_PATTERN.test(challenge)) return false;
  return timingSafeEqual(Buffer.from(s256(verifier)), Buffer.from(challenge));
}
