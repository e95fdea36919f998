/**
 * The parameters of `/authorize` (RFC 6749 §4.1.1, RFC 7636 §4.3), checked in the order the RFC
 * prescribes (§4.1.2.1):
 * 1. `client_id` and `redirect_uri` first. If either is missing, repeated, unknown or not an
 *    exact match of a registered URI, the user sees an error page and is never redirected: an
 *    authorization server that redirects to an unchecked URI is an open redirector.
 * 2. Everything else is reported to the (now trusted) redirect URI as `error=…&state=…`.
 * Only the authorization-code flow with PKCE S256 exists: `response_type=token` (implicit) is
 * `unsupported_response_type`, a missing or `plain` challenge method is `invalid_request`.
 */
import { CODE_CHALLENGE_PATTERN, PKCE_METHOD } from '../common/auth/pkce.js';
import type { PublicClient } from '../config/app-config.js';

/** One name → all its values (so a repeated parameter is visible as such). */
export type RawParams = Map<string, string[]>;

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  /** Requested scopes (space-separated) or null when the client asked for none. */
  scope: string | null;
}

export type ParsedAuthorization =
  | { kind: 'ok'; request: AuthorizationRequest }
  /** Shown to the user; never redirected. */
  | { kind: 'bad-client'; reason: string }
  /** Redirected to the client (RFC 6749 §4.1.2.1). */
  | { kind: 'error'; redirectUri: string; state?: string; error: string; description: string };

/** Parameters we carry through the organisation-choice form, in this order. */
export const REQUEST_FIELDS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'scope',
  'code_challenge',
  'code_challenge_method',
] as const;

const STATE = /^[\x20-\x7e]{1,1024}$/;
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*$/;
const MAX_SCOPE_LENGTH = 4000;

export function paramsFromQuery(search: string): RawParams {
  const out: RawParams = new Map();
  for (const [k, v] of new URLSearchParams(search)) out.set(k, [...(out.get(k) ?? []), v]);
  return out;
}

export function paramsFromForm(body: unknown): RawParams {
  const out: RawParams = new Map();
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (typeof v === 'string') out.set(k, [v]);
    else if (Array.isArray(v))
      out.set(
        k,
        v.filter((x): x is string => typeof x === 'string'),
      );
  }
  return out;
}

/** The single value, undefined when absent, null when repeated. */
function one(params: RawParams, name: string): string | undefined | null {
  const v = params.get(name);
  if (!v || v.length === 0) return undefined;
  return v.length === 1 ? v[0] : null;
}

export function parseAuthorizationRequest(
  params: RawParams,
  clientOf: (clientId: string) => PublicClient | undefined,
): ParsedAuthorization {
  const clientId = one(params, 'client_id');
  if (!clientId)
    return { kind: 'bad-client', reason: clientId === null ? 'client_id_repeated' : 'client_id_missing' };
  const client = clientOf(clientId);
  if (!client) return { kind: 'bad-client', reason: 'client_unknown' };
  const redirectUri = one(params, 'redirect_uri');
  // Always required, even with one registered URI (OAuth 2.1), and compared exactly.
  if (redirectUri === null) return { kind: 'bad-client', reason: 'redirect_uri_repeated' };
  if (!redirectUri) return { kind: 'bad-client', reason: 'redirect_uri_missing' };
  if (!client.redirectUris.includes(redirectUri))
    return { kind: 'bad-client', reason: 'redirect_uri_mismatch' };

  const rawState = one(params, 'state');
  const state = typeof rawState === 'string' && STATE.test(rawState) ? rawState : undefined;
  const fail = (error: string, description: string): ParsedAuthorization => ({
    kind: 'error',
    redirectUri,
    state,
    error,
    description,
  });

  for (const name of REQUEST_FIELDS)
    if (one(params, name) === null) return fail('invalid_request', `The parameter ${name} is repeated.`);
  if (params.has('request') || params.has('request_uri'))
    return fail('request_not_supported', 'Request objects are not supported.');
  const responseType = one(params, 'response_type');
  if (!responseType) return fail('invalid_request', 'The parameter response_type is required.');
  if (responseType !== 'code')
    return fail('unsupported_response_type', 'Only response_type=code (with PKCE) is supported.');
  const responseMode = one(params, 'response_mode');
  if (responseMode !== undefined && responseMode !== 'query')
    return fail('invalid_request', 'Only response_mode=query is supported.');
  if (rawState === undefined) return fail('invalid_request', 'The parameter state is required.');
  if (!state) return fail('invalid_request', 'state must be 1-1024 printable ASCII characters.');

  const method = one(params, 'code_challenge_method');
  if (method !== PKCE_METHOD)
    return fail('invalid_request', 'PKCE is required: code_challenge_method must be S256.');
  const challenge = one(params, 'code_challenge');
  if (!challenge || !CODE_CHALLENGE_PATTERN.test(challenge))
    return fail('invalid_request', 'code_challenge must be BASE64URL(SHA256(code_verifier)), 43 characters.');

  const scope = one(params, 'scope');
  if (
    scope !== undefined &&
    scope !== null &&
    scope !== '' &&
    (scope.length > MAX_SCOPE_LENGTH || !SCOPE.test(scope))
  )
    return fail('invalid_scope', 'scope must be scope names separated by single spaces.');

  return {
    kind: 'ok',
    request: { clientId, redirectUri, state, codeChallenge: challenge, scope: scope ? scope : null },
  };
}

/** The redirect back to the client, with our issuer named (RFC 9207) so mix-ups are detectable. */
export function clientRedirect(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}
