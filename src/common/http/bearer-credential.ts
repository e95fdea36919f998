/**
 * Bearer credentials outside the `Authorization` header (DESIGN §11, RFC 6750).
 *
 * RFC 6750 §2.3 lets a client put the token in the query as `access_token`, and §5.3 says why
 * it should not: URLs end up in logs, browser history and `Referer` headers. We never accept a
 * token there, on any route, and never forward one: a query (or a form body) carrying
 * `access_token` is refused with 400 `invalid_request` (§3.1), which also covers §2's "a client
 * MUST NOT use more than one method" when an `Authorization` header comes along. The name is
 * matched as every framework behind us would read it (`ACCESS_TOKEN`, `access%5ftoken`,
 * `access.token`, `access_token[]`, `;access_token`): see query-params.ts.
 */
import { BEARER_REALM } from '../auth/auth-errors.js';
import { DomainError } from '../errors/domain-error.js';
import { foldParamNames, foldsOnto, rawParamNames } from './query-params.js';

export const ACCESS_TOKEN_PARAM = 'access_token';
/** Problem code of the API routes for this refusal (the gateway answers GW-00002). */
export const BEARER_IN_QUERY_CODE = 'AUTH-00400';

/**
 * Only a query that says "token" (any case) or hides letters in escapes (`tok%65n`, `%2574`)
 * can name `access_token`; every other query is let through without parsing it.
 */
const MAY_HOLD_CREDENTIAL = /token|%25|%[4-7][0-9a-f]/i;

/** The raw name of the first query parameter that is `access_token` to some framework, or null. */
export function findQueryCredential(url: string): string | null {
  const q = url.indexOf('?');
  if (q === -1) return null;
  const query = url.slice(q + 1);
  if (!MAY_HOLD_CREDENTIAL.test(query)) return null;
  for (const name of rawParamNames(query)) if (foldsOnto(name, ACCESS_TOKEN_PARAM)) return name;
  return null;
}

/** The first key of a parsed form body that is `access_token` to some framework, or null. */
export function findFormCredential(fields: Record<string, unknown>): string | null {
  for (const name of Object.keys(fields)) if (foldsOnto(name, ACCESS_TOKEN_PARAM)) return name;
  return null;
}

/** 400 invalid_request (RFC 6750 §3.1) for a token sent where tokens are never accepted. */
export function bearerInQueryError(
  code: string,
  name: string,
  where: 'query' | 'body' = 'query',
): DomainError {
  const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name;
  return new DomainError(
    400,
    code,
    `Send the bearer token in the Authorization header only: the ${where} parameter "${shown}" is refused and never forwarded (RFC 6750 §2, §5.3).`,
    {
      title: 'Bad Request',
      headers: {
        'WWW-Authenticate': `Bearer realm="${BEARER_REALM}", error="invalid_request", error_description="access tokens are accepted in the Authorization header only"`,
      },
      validationErrors: [
        {
          code: 'STD.VLD-00001',
          title: 'An access token may only be sent in the Authorization header.',
          paths: [`$.${shown}`],
        },
      ],
    },
  );
}

/** Parameters whose values are secrets in some flow (tokens, assertions, OIDC codes and states). */
const SECRET_PARAM = /token|assertion|code|state/;
const MAY_HOLD_SECRET = /token|assertion|code|state|%|\+/i;

/** The URL with the values of secret-looking query parameters replaced, for logs. */
export function redactQueryCredentials(url: string): string {
  const q = url.indexOf('?');
  if (q === -1 || !MAY_HOLD_SECRET.test(url.slice(q + 1))) return url;
  const redacted = url
    .slice(q + 1)
    .replace(/([^&;=]*)=([^&;]*)/g, (part, name: string) =>
      foldParamNames(name).some((n) => SECRET_PARAM.test(n)) ? `${name}=[redacted]` : part,
    );
  return `${url.slice(0, q)}?${redacted}`;
}
