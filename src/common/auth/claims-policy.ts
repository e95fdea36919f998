/**
 * Registered and Maskinporten claim rules (DESIGN §3, §10). Runs on the strictly parsed payload
 * before the signature check (cheap refusals first; every refusal is the same 401) and its
 * result only becomes a Principal after the signature verified.
 */
import { ISO6523_AUTHORITY, parseIso6523Org } from '../identifiers/party-urn.js';
import { InvalidTokenError } from './auth-errors.js';

export interface ClaimsPolicy {
  /** Current time, seconds since the epoch. */
  nowSeconds: number;
  clockSkewSeconds: number;
  maxTokenLifetimeSeconds: number;
}

export interface CheckedClaims {
  consumer: string;
  supplier?: string;
  clientId?: string;
  scope: string;
  jti?: string;
  exp: number;
  iat: number;
  authorizationDetails?: unknown;
}

function isNumericDate(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

function optionalString(payload: Record<string, unknown>, name: string): string | undefined {
  const v = payload[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new InvalidTokenError(name === 'scope' ? 'scope_claim' : 'claims');
  return v;
}

/** `{authority:"iso6523-actorid-upis", ID:"0192:<orgno>"}` → orgno, else null. */
export function parseOrgClaim(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const { authority, ID } = v as Record<string, unknown>;
  if (authority !== ISO6523_AUTHORITY) return null;
  return parseIso6523Org(ID);
}

export function checkClaims(payload: Record<string, unknown>, policy: ClaimsPolicy): CheckedClaims {
  const { nowSeconds: now, clockSkewSeconds: skew } = policy;
  const { exp, iat, nbf, aud } = payload;

  if (!isNumericDate(exp) || !isNumericDate(iat)) throw new InvalidTokenError('claims');
  if (nbf !== undefined && !isNumericDate(nbf)) throw new InvalidTokenError('claims');
  if (now > exp + skew) throw new InvalidTokenError('expired');
  if (iat > now + skew) throw new InvalidTokenError('issued_in_future');
  if (nbf !== undefined && nbf > now + skew) throw new InvalidTokenError('not_yet_valid');
  // A token that ends before it starts is malformed; one that lives longer than the policy
  // allows is refused even if the issuer meant it (bounds the damage of a leaked token).
  if (exp <= iat || exp - iat > policy.maxTokenLifetimeSeconds) throw new InvalidTokenError('lifetime');

  if (payload.sub !== undefined && typeof payload.sub !== 'string') throw new InvalidTokenError('claims');
  // aud is checked per protected API by the gateway; here only its type.
  if (
    aud !== undefined &&
    typeof aud !== 'string' &&
    !(Array.isArray(aud) && aud.every((a) => typeof a === 'string'))
  )
    throw new InvalidTokenError('claims');

  const consumer = parseOrgClaim(payload.consumer);
  if (consumer === null) throw new InvalidTokenError('consumer');
  let supplier: string | undefined;
  if (payload.supplier !== undefined) {
    const s = parseOrgClaim(payload.supplier);
    if (s === null) throw new InvalidTokenError('consumer');
    supplier = s;
  }

  return {
    consumer,
    supplier,
    clientId: optionalString(payload, 'client_id'),
    scope: optionalString(payload, 'scope') ?? '',
    jti: optionalString(payload, 'jti'),
    exp,
    iat,
    authorizationDetails: payload.authorization_details,
  };
}

/** RFC 6749 §3.3: scope tokens are separated by single spaces; tokens never contain whitespace. */
export function splitScope(scope: string): Set<string> {
  const out = new Set<string>();
  for (const s of scope.split(' ')) if (s) out.add(s);
  return out;
}
