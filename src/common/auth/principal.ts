/**
 * The verified caller, built once per token by the TokenVerifier and attached to the request by
 * the AuthGuard. Principals are shared between requests through the verified-token cache, so
 * they are deeply frozen: never mutate one.
 */
import type { JWTPayload } from 'jose';
// Brings fastify's types into every program that includes this file (the augmentation below needs them).
import type {} from 'fastify';

export interface Principal {
  /** Consumer organisation number (from `consumer.ID` = `0192:<orgno>`, checksum-valid). */
  readonly consumer: string;
  /** Supplier organisation number when a supplier acts for the consumer. */
  readonly supplier?: string;
  readonly clientId?: string;
  /** Scope tokens from the space-separated `scope` claim; match exactly. */
  readonly scopes: ReadonlySet<string>;
  /** The raw `scope` claim ('' when absent). */
  readonly scope: string;
  /** `authorization_details` as signed; not validated here (the gateway validates its shape). */
  readonly authorizationDetails?: unknown;
  /** Exact `iss`. */
  readonly issuer: string;
  /** True when issued by this service's own token issuer. */
  readonly builtIn: boolean;
  readonly jti?: string;
  /** `exp`, seconds since the epoch. */
  readonly exp: number;
  /** The whole verified payload (frozen). */
  readonly claims: Readonly<JWTPayload>;
}

/** True when the principal holds every listed scope (exact token match). */
export function hasScopes(principal: Principal, ...scopes: string[]): boolean {
  return scopes.every((s) => principal.scopes.has(s));
}

/** True when the principal holds at least one listed scope. */
export function hasAnyScope(principal: Principal, ...scopes: string[]): boolean {
  return scopes.some((s) => principal.scopes.has(s));
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by AuthGuard on every non-public route. */
    principal?: Principal;
  }
}
