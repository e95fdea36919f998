/**
 * Errors of the token endpoint. `/token` answers in OAuth 2.0's own JSON error format
 * (RFC 6749 §5.2: `{error, error_description}`), not problem+json, because every OAuth client
 * library parses that shape. The class still extends DomainError, so a stray one that reached
 * the global filter would render sanely.
 *
 * `error_description` names the check that failed, as Maskinporten's does
 * (oauth-error-descriptions.ts), except where naming it would help an attacker probe clients,
 * keys and consents: those say more only outside production (`explained`). The `reason` goes to
 * the log and the audit trail.
 */
import { DomainError } from '../common/errors/domain-error.js';
import { DEVELOPMENT_DESCRIPTIONS, REASON_DESCRIPTIONS } from './oauth-error-descriptions.js';
import { retryAfterHeaderValue } from '../common/rate-limit/token-bucket.limiter.js';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_authorization_details'
  | 'invalid_target'
  | 'temporarily_unavailable'
  | 'server_error';

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  // RFC 6749 §5.2: 401 for a failed client authentication.
  invalid_client: 401,
  invalid_grant: 400,
  invalid_scope: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_authorization_details: 400,
  invalid_target: 400,
  temporarily_unavailable: 503,
  server_error: 500,
};

const DESCRIPTIONS: Record<OAuthErrorCode, string> = {
  invalid_request: 'The token request is malformed.',
  invalid_client: 'Client authentication failed.',
  invalid_grant: 'The assertion, authorization code or authorization details cannot be used.',
  invalid_scope: 'The requested scope is invalid, unknown or not available to this client.',
  unauthorized_client: 'The client is not authorized to request a token for this consumer.',
  unsupported_grant_type:
    'Only grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer and authorization_code are supported.',
  invalid_authorization_details:
    'authorization_details must be a JSON array with exactly one {"type":"urn:altinn:consent","id","from"} object.',
  invalid_target: 'resource must be an absolute URI without a fragment.',
  temporarily_unavailable: 'The token endpoint is temporarily unavailable; retry later.',
  server_error: 'An unexpected error occurred.',
};

export class OAuthError extends DomainError {
  constructor(
    readonly error: OAuthErrorCode,
    /** Which check failed: for logs, metrics and the audit trail; never sent to the client. */
    readonly reason: string,
    options: {
      /** Replaces the generic text; only for syntax problems that reveal nothing about secrets. */
      description?: string;
      status?: number;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(
      options.status ?? STATUS[error],
      error,
      options.description ?? REASON_DESCRIPTIONS[reason] ?? DESCRIPTIONS[error],
      {
        headers: options.headers,
      },
    );
    this.name = 'OAuthError';
  }

  /** The same refusal with the description development gets (naming client, key or consent checks). */
  explained(): OAuthError {
    const description = DEVELOPMENT_DESCRIPTIONS[this.reason];
    if (description === undefined) return this;
    return new OAuthError(this.error, this.reason, {
      description,
      status: this.status,
      headers: this.headers,
    });
  }

  static invalidRequest(reason: string, description?: string): OAuthError {
    return new OAuthError('invalid_request', reason, { description });
  }

  static invalidClient(reason: string): OAuthError {
    return new OAuthError('invalid_client', reason);
  }

  static invalidGrant(reason: string): OAuthError {
    return new OAuthError('invalid_grant', reason);
  }

  static invalidScope(reason: string): OAuthError {
    return new OAuthError('invalid_scope', reason);
  }

  static invalidAuthorizationDetails(reason: string): OAuthError {
    return new OAuthError('invalid_authorization_details', reason);
  }

  /** Per-client rate limit: 429 with `Retry-After` (RFC 6585). */
  static rateLimited(retryAfterSeconds: number): OAuthError {
    return new OAuthError('temporarily_unavailable', 'rate_limited', {
      status: 429,
      description: 'Too many token requests for this client; retry later.',
      headers: { 'retry-after': retryAfterHeaderValue(retryAfterSeconds) },
    });
  }
}

export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description: string;
}

export function oauthErrorBody(err: OAuthError): OAuthErrorBody {
  return { error: err.error, error_description: err.detail };
}
