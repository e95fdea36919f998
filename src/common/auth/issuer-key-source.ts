/**
 * How the verifier gets the built-in issuer's public keys without importing the `tokens` module
 * (a higher layer; CONVENTIONS "Dependency direction"). `tokens` provides this token globally.
 */
import type { JWK } from 'jose';

export const ISSUER_KEY_SOURCE = Symbol('IssuerKeySource');

export interface IssuerKeySource {
  /**
   * The built-in issuer's current public verification keys (`current`, `next`, `previous`).
   * Public members only: a key carrying private material is dropped by the verifier.
   * Called on a TTL and whenever a token names an unknown `kid`, so the source may cache
   * but must reflect rotations promptly. Throwing is treated as a failed fetch (stale-if-error).
   */
  getPublicJwks(): Promise<{ keys: JWK[] }>;
}
