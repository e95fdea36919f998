import { TokenSignerService } from '../../src/tokens/token-signer.service.js';
import type { TestApp } from './app.js';

export interface TokenOptions {
  /** Consumer org number. */
  org: string;
  /** Space-separated scopes, or a list. */
  scope: string | string[];
  supplier?: string;
  ttlSeconds?: number;
  clientId?: string;
  audience?: string;
  authorizationDetails?: unknown[];
}

/** A real RS256 token from the app's own built-in issuer (same keys as `/jwk`). */
export async function mintToken(t: TestApp, o: TokenOptions): Promise<string> {
  const { token } = await t.app.get(TokenSignerService).sign({
    consumer: o.org,
    supplier: o.supplier,
    scope: Array.isArray(o.scope) ? o.scope.join(' ') : o.scope,
    clientId: o.clientId ?? `test-client-${o.org}`,
    ttlSeconds: o.ttlSeconds ?? 600,
    audience: o.audience,
    authorizationDetails: o.authorizationDetails,
  });
  return token;
}

/** `Authorization` header value for a fresh token. */
export async function bearer(t: TestApp, o: TokenOptions): Promise<string> {
  return `Bearer ${await mintToken(t, o)}`;
}
