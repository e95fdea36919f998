/**
 * The parameters of a token request. They may arrive as form parameters (RFC 7523, RFC 8707,
 * RFC 9396) or, Maskinporten style, as claims inside the signed assertion (`scope`, `resource`,
 * `consumer_org`, `authorization_details`). Either place works; a parameter given in both must
 * say the same thing, so the signed value can never be contradicted by an unsigned one.
 *
 * The global ValidationPipe is not used here on purpose: OAuth errors have their own format and
 * RFC 6749 §3.2 requires unknown parameters to be ignored, not refused.
 */
import { isDeepStrictEqual } from 'node:util';
import { parseStrictJson } from '../common/auth/strict-json.js';
import { isValidOrgNumber } from '../common/identifiers/org-number.js';
import { parseConsentDetails, type RequestedConsent } from './authorization-details.js';
import { OAuthError } from './oauth-error.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface TokenForm {
  assertion: string;
  scope?: string;
  resource?: string[];
  consumerOrg?: string;
  /** Parsed JSON of the `authorization_details` form parameter. */
  authorizationDetails?: unknown;
}

export interface GrantParameters {
  /** Requested scopes, in request order, without duplicates. */
  scopes: string[];
  /** Access-token `aud` (RFC 8707 `resource`): one URI as a string, several as an array. */
  audience?: string | string[];
  /** Set when a supplier asks on behalf of another organisation. */
  consumerOrg?: string;
  consent?: RequestedConsent;
}

const MAX_SCOPES = 50;
const MAX_SCOPE_LENGTH = 4000;
const MAX_RESOURCES = 10;
const MAX_RESOURCE_LENGTH = 2000;
/** RFC 6749 §3.3: scope tokens separated by single spaces. */
const SCOPE_SYNTAX = /^[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*$/;

/** RFC 6749 §3.1: parameters must not be repeated (only `resource` may be, RFC 8707 §2). */
function single(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string')
    throw OAuthError.invalidRequest(`repeated_${name}`, `The parameter ${name} is repeated.`);
  return v;
}

function asString(v: unknown): string {
  if (typeof v !== 'string') throw OAuthError.invalidRequest('parameter_type', 'Parameters must be strings.');
  return v;
}

/** Form parameters → TokenForm; the grant type and assertion are required. */
export function parseTokenForm(body: unknown): TokenForm {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw OAuthError.invalidRequest('no_body', 'The request has no form parameters.');
  const form = body as Record<string, unknown>;

  const grantType = single(form, 'grant_type');
  if (!grantType)
    throw OAuthError.invalidRequest('missing_grant_type', 'The parameter grant_type is required.');
  if (grantType !== JWT_BEARER_GRANT) throw new OAuthError('unsupported_grant_type', 'grant_type');

  const assertion = single(form, 'assertion');
  if (!assertion)
    throw OAuthError.invalidRequest('missing_assertion', 'The parameter assertion is required.');

  // The form parser yields a string, or an array of strings for a repeated parameter.
  const rawResource = form.resource;
  const resource =
    rawResource === undefined
      ? undefined
      : (Array.isArray(rawResource) ? rawResource : [rawResource]).map(asString);

  const rawDetails = single(form, 'authorization_details');
  let authorizationDetails: unknown;
  if (rawDetails !== undefined) {
    try {
      authorizationDetails = parseStrictJson(rawDetails);
    } catch {
      throw OAuthError.invalidAuthorizationDetails('json');
    }
  }

  return {
    assertion,
    scope: single(form, 'scope'),
    resource,
    consumerOrg: single(form, 'consumer_org'),
    authorizationDetails,
  };
}

/** The value from the form or the assertion; both present → they must be equal. */
function either<T>(name: string, fromForm: T | undefined, fromClaim: T | undefined): T | undefined {
  if (fromForm !== undefined && fromClaim !== undefined && !isDeepStrictEqual(fromForm, fromClaim))
    throw OAuthError.invalidRequest(
      `conflicting_${name}`,
      `The parameter ${name} differs between the form and the assertion.`,
    );
  return fromForm ?? fromClaim;
}

function claimResource(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((r): r is string => typeof r === 'string')) return v;
  throw new OAuthError('invalid_target', 'resource_claim_type');
}

/** RFC 8707 §2: an absolute URI without a fragment. */
function checkResource(r: string): void {
  if (r.length === 0 || r.length > MAX_RESOURCE_LENGTH)
    throw new OAuthError('invalid_target', 'resource_length');
  let url: URL;
  try {
    url = new URL(r);
  } catch {
    throw new OAuthError('invalid_target', 'resource_not_absolute');
  }
  if (url.hash || r.includes('#')) throw new OAuthError('invalid_target', 'resource_fragment');
}

function parseScope(scope: string | undefined): string[] {
  // Maskinporten requires a scope; a missing one is a malformed request, not an unknown scope.
  if (scope === undefined || scope.trim() === '')
    throw OAuthError.invalidRequest('missing_scope', 'The parameter scope is required.');
  if (scope.length > MAX_SCOPE_LENGTH || !SCOPE_SYNTAX.test(scope))
    throw OAuthError.invalidScope('scope_syntax');
  const scopes = [...new Set(scope.split(' '))];
  if (scopes.length > MAX_SCOPES) throw OAuthError.invalidScope('too_many_scopes');
  return scopes;
}

/**
 * Combines the form with the verified assertion's claims. Runs only after the client has
 * authenticated, so its errors may be specific about syntax.
 */
export function resolveGrantParameters(form: TokenForm, claims: Record<string, unknown>): GrantParameters {
  const claimScope = claims.scope;
  if (claimScope !== undefined && typeof claimScope !== 'string')
    throw OAuthError.invalidScope('scope_claim_type');
  const scopes = parseScope(either('scope', form.scope, claimScope));

  const resources = either('resource', form.resource, claimResource(claims.resource));
  if (resources !== undefined) {
    if (resources.length === 0 || resources.length > MAX_RESOURCES)
      throw new OAuthError('invalid_target', 'resource_count');
    resources.forEach(checkResource);
  }
  const uniqueResources = resources ? [...new Set(resources)] : undefined;

  const claimConsumer = claims.consumer_org;
  if (claimConsumer !== undefined && typeof claimConsumer !== 'string')
    throw OAuthError.invalidRequest(
      'consumer_org_claim_type',
      'consumer_org must be a 9-digit organisation number.',
    );
  const consumerOrg = either('consumer_org', form.consumerOrg, claimConsumer);
  if (consumerOrg !== undefined && !isValidOrgNumber(consumerOrg))
    throw OAuthError.invalidRequest(
      'consumer_org_invalid',
      'consumer_org must be a valid 9-digit organisation number.',
    );

  const details = either('authorization_details', form.authorizationDetails, claims.authorization_details);

  return {
    scopes,
    audience: uniqueResources
      ? uniqueResources.length === 1
        ? uniqueResources[0]
        : uniqueResources
      : undefined,
    consumerOrg,
    consent: details === undefined ? undefined : parseConsentDetails(details),
  };
}
