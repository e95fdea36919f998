/**
 * The only errors the verifier and guard throw. All are DomainErrors, so the global filter turns
 * them into problem+json with the `WWW-Authenticate` header set here (RFC 6750 §3).
 * Details are deliberately generic: never the token, never which check failed (that goes to
 * `reason`, for metrics and logs only).
 */
import { DomainError } from '../errors/domain-error.js';

/** Default problem codes (DESIGN §10 gateway codes for the verifier; AUTH-* for the API guard). */
export const AUTH_PROBLEM_CODES = {
  /** Verifier default: DESIGN §10 GW-00003 "invalid token". */
  invalidToken: 'GW-00003',
  /** DESIGN §10 GW-00014 "issuer keys unavailable". */
  keysUnavailable: 'GW-00014',
  /** Global guard, admin and consumer APIs: missing or invalid token. */
  unauthorized: 'AUTH-00401',
  /** Global guard: token lacks a required scope. */
  forbidden: 'AUTH-00403',
} as const;

/** Why a token was refused; bounded set so it can be a metric label. Never sent to the client. */
export type InvalidTokenReason =
  | 'missing'
  | 'malformed'
  | 'too_large'
  | 'header'
  | 'algorithm'
  | 'kid'
  | 'issuer'
  | 'key_unknown'
  | 'key_type'
  | 'signature'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'lifetime'
  | 'claims'
  | 'consumer'
  | 'scope_claim'
  | 'audience'
  | 'internal';

const INVALID_TOKEN_DETAIL = 'The access token is invalid.';
const MISSING_TOKEN_DETAIL = 'This endpoint requires a bearer access token.';
export const BEARER_REALM = 'consent-gateway';

export class InvalidTokenError extends DomainError {
  constructor(
    /** Internal reason; not part of the response. */
    readonly reason: InvalidTokenReason,
    code: string = AUTH_PROBLEM_CODES.invalidToken,
    /** Which check failed, in words: only outside production (token-refusal-explanation.ts). */
    readonly explanation?: string,
  ) {
    const missing = reason === 'missing';
    const detail = missing
      ? MISSING_TOKEN_DETAIL
      : explanation
        ? `${INVALID_TOKEN_DETAIL.slice(0, -1)}: ${explanation}`
        : INVALID_TOKEN_DETAIL;
    super(401, code, detail, {
      title: 'Unauthorized',
      // RFC 6750 §3.1: no error code when the request carried no credentials at all.
      headers: {
        'WWW-Authenticate': missing
          ? `Bearer realm="${BEARER_REALM}"`
          : `Bearer realm="${BEARER_REALM}", error="invalid_token"`,
      },
    });
    this.name = 'InvalidTokenError';
  }

  /** Same refusal under another problem code (the gateway and the API guard use different ones). */
  withCode(code: string): InvalidTokenError {
    return code === this.code ? this : new InvalidTokenError(this.reason, code, this.explanation);
  }

  /** The same refusal, saying which check failed (development only). */
  explained(explanation: string | undefined): InvalidTokenError {
    return explanation ? new InvalidTokenError(this.reason, this.code, explanation) : this;
  }
}

/** Issuer keys cannot be trusted right now (never fetched, or stale beyond the window): fail closed. */
export class KeysUnavailableError extends DomainError {
  constructor(
    readonly issuer: string,
    retryAfterSeconds = 5,
    code: string = AUTH_PROBLEM_CODES.keysUnavailable,
  ) {
    super(503, code, 'The signing keys of the token issuer are temporarily unavailable.', {
      title: 'Service Unavailable',
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
    this.name = 'KeysUnavailableError';
  }

  withCode(code: string): KeysUnavailableError {
    const retry = Number(this.headers?.['Retry-After'] ?? 5);
    return code === this.code ? this : new KeysUnavailableError(this.issuer, retry, code);
  }
}

/** Quote a value for an auth-param (RFC 9110 quoted-string); scopes never contain these, but be safe. */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[\r\n]/g, ' ')}"`;
}

export class InsufficientScopeError extends DomainError {
  constructor(
    readonly requiredScopes: readonly string[],
    readonly mode: 'all' | 'any' = 'all',
    code: string = AUTH_PROBLEM_CODES.forbidden,
  ) {
    const list = requiredScopes.join(', ');
    super(
      403,
      code,
      mode === 'all'
        ? `The access token lacks a required scope (requires all of: ${list}).`
        : `The access token lacks a required scope (requires one of: ${list}).`,
      {
        title: 'Forbidden',
        headers: {
          'WWW-Authenticate': `Bearer realm="${BEARER_REALM}", error="insufficient_scope", scope=${quoted(requiredScopes.join(' '))}`,
        },
      },
    );
    this.name = 'InsufficientScopeError';
  }
}
