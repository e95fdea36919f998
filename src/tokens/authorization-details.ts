/**
 * The consent a token request asks to embed (RFC 9396 `authorization_details`, Altinn's
 * `urn:altinn:consent` type). Only the shape is checked here; whether the consent may be used
 * is the grant service's business.
 */
import { parsePartyUrn, partyUrn } from '../common/identifiers/party-urn.js';
import { isUuid } from '../common/identifiers/uuid.js';
import { OAuthError } from './oauth-error.js';

export const CONSENT_DETAIL_TYPE = 'urn:altinn:consent';

export interface RequestedConsent {
  /** Lowercase UUID. */
  id: string;
  /** Party URN of the data subject (canonical spelling). */
  from: string;
}

export function parseConsentDetails(value: unknown): RequestedConsent {
  if (!Array.isArray(value)) throw OAuthError.invalidAuthorizationDetails('not_an_array');
  // Exactly one: a token that names two consents would be ambiguous at the gateway.
  if (value.length !== 1) throw OAuthError.invalidAuthorizationDetails('count');
  const detail: unknown = value[0];
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
    throw OAuthError.invalidAuthorizationDetails('not_an_object');
  const { type, id, from } = detail as Record<string, unknown>;
  if (type !== CONSENT_DETAIL_TYPE) throw OAuthError.invalidAuthorizationDetails('type');
  if (typeof id !== 'string' || !isUuid(id)) throw OAuthError.invalidAuthorizationDetails('id');
  const party = parsePartyUrn(from);
  if (!party) throw OAuthError.invalidAuthorizationDetails('from');
  return { id: id.toLowerCase(), from: partyUrn(party) };
}
