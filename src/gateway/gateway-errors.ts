/**
 * The gateway's problem codes (DESIGN §10) and the errors it answers with. Each check of the
 * proxy pipeline has its own status and code, so a consumer can tell exactly which rule refused
 * it without the gateway revealing more than that.
 */
import { BEARER_REALM, InsufficientScopeError, InvalidTokenError } from '../common/auth/auth-errors.js';
import { DomainError } from '../common/errors/domain-error.js';
import { retryAfterHeaderValue } from '../common/rate-limit/token-bucket.limiter.js';

export const GW = {
  unknownApi: 'GW-00001',
  badTarget: 'GW-00002',
  invalidToken: 'GW-00003',
  insufficientScope: 'GW-00004',
  consentDetails: 'GW-00005',
  consentCoverage: 'GW-00006',
  consentTo: 'GW-00007',
  accessList: 'GW-00008',
  consentInactive: 'GW-00009',
  subject: 'GW-00010',
  rateLimited: 'GW-00011',
  upstreamUnavailable: 'GW-00012',
  upstreamTimeout: 'GW-00013',
  keysUnavailable: 'GW-00014',
  databaseUnavailable: 'GW-00015',
  bodyTooLarge: 'GW-00016',
  callsPerDayExceeded: 'GW-00017',
  policyTerms: 'GW-00018',
} as const;

export type GatewayCode = (typeof GW)[keyof typeof GW];

export function unknownApi(): DomainError {
  return new DomainError(404, GW.unknownApi, 'No protected API is registered under this name.', {
    title: 'Not Found',
  });
}

export function invalidToken(
  reason: 'missing' | 'malformed' | 'claims' | 'audience' = 'claims',
): InvalidTokenError {
  return new InvalidTokenError(reason, GW.invalidToken);
}

export function insufficientScope(required: readonly string[]): DomainError {
  return new InsufficientScopeError(required, 'all', GW.insufficientScope);
}

export function consentDetails(detail: string): DomainError {
  return new DomainError(403, GW.consentDetails, detail, { title: 'Forbidden' });
}

export function consentCoverage(action: string): DomainError {
  return new DomainError(
    403,
    GW.consentCoverage,
    `The consent does not give the action "${action}" on any consent resource this API honours.`,
    { title: 'Forbidden' },
  );
}

export function consentTo(): DomainError {
  return new DomainError(
    403,
    GW.consentTo,
    'The consent was not given to the organisation the token was issued to.',
    {
      title: 'Forbidden',
    },
  );
}

export function notOnAccessList(): DomainError {
  return new DomainError(403, GW.accessList, "The consumer is not on the consent resource's access list.", {
    title: 'Forbidden',
  });
}

/** 401 invalid_token (RFC 6750): the consent behind the token can no longer be used. */
export function consentInactive(
  detail = 'The consent is not active (unknown, revoked, cancelled, expired, used or changed).',
): DomainError {
  return new DomainError(401, GW.consentInactive, detail, {
    title: 'Unauthorized',
    headers: { 'WWW-Authenticate': `Bearer realm="${BEARER_REALM}", error="invalid_token"` },
  });
}

/** An API with a query subject got a body its upstream's framework would merge with the query. */
export function subjectInBodyPossible(name: string): DomainError {
  return new DomainError(
    403,
    GW.subject,
    `This API reads the subject from query parameter ${name}, so it takes no form or JSON body (frameworks merge their fields with the query's); send the body as another media type.`,
    { title: 'Forbidden' },
  );
}

export function subjectMismatch(where: string): DomainError {
  return new DomainError(
    403,
    GW.subject,
    `The subject in ${where} is missing or is not the party that gave the consent.`,
    {
      title: 'Forbidden',
    },
  );
}

export function rateLimited(retryAfterSeconds: number, scope: 'consumer' | 'consent'): DomainError {
  return new DomainError(429, GW.rateLimited, `Too many requests for this ${scope}; retry later.`, {
    title: 'Too Many Requests',
    headers: { 'Retry-After': retryAfterHeaderValue(retryAfterSeconds) },
  });
}

/** The consent used up its calls for the UTC day (the resource's `callsPerDay`). */
export function callsPerDayExceeded(limit: number, retryAfterSeconds: number): DomainError {
  return new DomainError(
    429,
    GW.callsPerDayExceeded,
    `The consent has used its ${limit} calls for today (UTC); the count starts again at midnight UTC.`,
    { title: 'Too Many Requests', headers: { 'Retry-After': String(retryAfterSeconds) } },
  );
}

/** The consent's terms break the current policy of the resource (its owner tightened it). */
export function policyTerms(detail: string): DomainError {
  return new DomainError(403, GW.policyTerms, detail, { title: 'Forbidden' });
}

export function upstreamUnavailable(): DomainError {
  return new DomainError(502, GW.upstreamUnavailable, 'The protected API could not be reached.', {
    title: 'Bad Gateway',
  });
}

export function upstreamTimeout(): DomainError {
  return new DomainError(504, GW.upstreamTimeout, 'The protected API did not answer in time.', {
    title: 'Gateway Timeout',
  });
}

export function databaseUnavailable(): DomainError {
  return new DomainError(
    503,
    GW.databaseUnavailable,
    'The consent database is unavailable; try again shortly.',
    {
      title: 'Service Unavailable',
      headers: { 'Retry-After': '5' },
    },
  );
}

export function bodyTooLarge(limit: number): DomainError {
  return new DomainError(
    413,
    GW.bodyTooLarge,
    `The request body is larger than this API accepts (${limit} bytes).`,
    {
      title: 'Content Too Large',
    },
  );
}

export function shuttingDown(): DomainError {
  return new DomainError(503, 'STD-00503', 'The gateway is shutting down; retry on another instance.', {
    title: 'Service Unavailable',
    headers: { 'Retry-After': '1' },
  });
}
