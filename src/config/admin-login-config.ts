/**
 * Settings of the admin login (issue 20): OAuth2 authorization code + PKCE on the built-in
 * issuer, for people who act for an organisation in Swagger UI and other public clients.
 */
import type { AdminLoginConfig, PublicClient } from './app-config.js';
import { ConfigError, type Env } from './config-error.js';

/** The client Swagger UI (`/docs`) uses; always registered, with its one redirect URI. */
export const SWAGGER_UI_CLIENT_ID = 'swagger-ui';
const CLIENT_ID = /^[A-Za-z0-9._-]{3,100}$/;
const ROLE = /^[A-Z]{2,10}$/;
const ORG_NUMBER = /^[0-9]{9}$/;

function redirectUri(raw: string, nodeEnv: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError('OAUTH_PUBLIC_CLIENTS', `redirect URIs must be absolute URLs, got "${raw}"`);
  }
  if (u.hash || raw.includes('#'))
    throw new ConfigError('OAUTH_PUBLIC_CLIENTS', `redirect URIs must not have a fragment, got "${raw}"`);
  const loopback = u.hostname === '127.0.0.1' || u.hostname === '[::1]' || u.hostname === 'localhost';
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && (loopback || nodeEnv !== 'production')))
    throw new ConfigError('OAUTH_PUBLIC_CLIENTS', `redirect URIs must use https, got "${raw}"`);
  return raw;
}

/** `clientId|uri uri,clientId2|uri` — public clients besides Swagger UI (exact URIs). */
export function parsePublicClients(raw: string | undefined, nodeEnv: string): PublicClient[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [clientId, uris, ...rest] = entry.split('|');
      if (!clientId || !uris || rest.length || !CLIENT_ID.test(clientId) || clientId === SWAGGER_UI_CLIENT_ID)
        throw new ConfigError(
          'OAUTH_PUBLIC_CLIENTS',
          `entries must be "clientId|redirectUri [redirectUri…]" with a client id other than ${SWAGGER_UI_CLIENT_ID}, got "${entry}"`,
        );
      return {
        clientId,
        redirectUris: uris
          .split(/\s+/)
          .filter(Boolean)
          .map((u) => redirectUri(u, nodeEnv)),
      };
    });
}

export function loadAdminLoginConfig(
  env: Env,
  publicUrl: string,
  nodeEnv: string,
  maxTokenLifetimeSeconds: number,
): AdminLoginConfig {
  const operator = env.PLATFORM_OPERATOR_ORG?.trim() || undefined;
  if (operator !== undefined && !ORG_NUMBER.test(operator))
    throw new ConfigError(
      'PLATFORM_OPERATOR_ORG',
      `must be a 9-digit organisation number, got "${operator}"`,
    );
  const rolesRaw = env.ADMIN_LOGIN_ROLES?.trim() || 'HADM,ADMAI';
  const roles = rolesRaw
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  if (roles.length === 0 || roles.some((r) => !ROLE.test(r)))
    throw new ConfigError(
      'ADMIN_LOGIN_ROLES',
      `must be role codes separated by commas (e.g. HADM,ADMAI), got "${rolesRaw}"`,
    );
  const ttlRaw = env.ADMIN_TOKEN_TTL_SECONDS?.trim();
  const ttl = ttlRaw ? Number(ttlRaw) : Math.min(900, maxTokenLifetimeSeconds);
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > maxTokenLifetimeSeconds)
    throw new ConfigError(
      'ADMIN_TOKEN_TTL_SECONDS',
      `must be an integer between 60 and ${maxTokenLifetimeSeconds}, got "${ttlRaw}"`,
    );
  const swagger: PublicClient = {
    clientId: SWAGGER_UI_CLIENT_ID,
    redirectUris: [`${publicUrl}/docs/oauth2-redirect.html`],
  };
  return {
    operatorOrgNumber: operator,
    roles,
    tokenTtlSeconds: ttl,
    codeTtlSeconds: 60,
    clients: [swagger, ...parsePublicClients(env.OAUTH_PUBLIC_CLIENTS?.trim(), nodeEnv)],
  };
}
