/**
 * `error_description` per failing check of a token request, as Maskinporten answers: the
 * client is told which rule its request broke, so it can fix its assertion without a support
 * case. Two kinds of check say less in production, because naming them would let anyone probe
 * what exists here: which of client, key and signature failed (all three are "client
 * authentication failed"), and whether a consent is unknown or belongs to another consumer.
 * Outside production (`NODE_ENV` other than `production`) those are named too.
 */
import { MAX_ASSERTION_LIFETIME_SECONDS, ASSERTION_IAT_SKEW_SECONDS } from './assertion-limits.js';

const ASSERTION = 'Invalid assertion.';

/** Said in every environment. */
export const REASON_DESCRIPTIONS: Readonly<Record<string, string>> = {
  assertion_malformed: `${ASSERTION} It is not a compact JWS (three base64url parts of JSON).`,
  assertion_too_large: `${ASSERTION} It is larger than 8 KiB.`,
  header_member: `${ASSERTION} The header may not carry jku, x5u, jwk, x5c or crit; name the key with kid.`,
  algorithm: `${ASSERTION} alg must be RS256, RS384, RS512 or ES256.`,
  kid: `${ASSERTION} The header must name the client's registered key with kid.`,
  typ: `${ASSERTION} typ, when present, must be JWT.`,
  iss: `${ASSERTION} iss must be the client_id.`,
  exp_iat_missing: `${ASSERTION} exp and iat are required (seconds since the epoch).`,
  lifetime: `${ASSERTION} exp must be after iat and at most ${MAX_ASSERTION_LIFETIME_SECONDS} seconds after it.`,
  iat: `${ASSERTION} iat must be within ${ASSERTION_IAT_SKEW_SECONDS} seconds of the server's clock (UTC).`,
  expired: `${ASSERTION} It has expired (exp is in the past).`,
  nbf: `${ASSERTION} nbf is in the future.`,
  jti: `${ASSERTION} jti is required: a unique id of at most 255 characters.`,
  jti_replayed: `${ASSERTION} Its jti has been used before; sign a new assertion for every token request.`,
  // Client, key and signature: one answer in production (see above).
  unknown_client: 'Invalid assertion. Client authentication failed.',
  unknown_kid: 'Invalid assertion. Client authentication failed.',
  key_type: 'Invalid assertion. Client authentication failed.',
  signature: 'Invalid assertion. Client authentication failed.',
  scope_syntax: 'Invalid scope: scope must be space-separated scope names.',
  too_many_scopes: 'Invalid scope: too many scopes in one request.',
  scope_claim_type: 'Invalid scope: the scope claim must be a string.',
  scope_not_on_client: 'Invalid scope: a requested scope is not registered on the client.',
  scope_unknown_or_inactive: 'Invalid scope: a requested scope does not exist or is not active.',
  scope_integration_type: 'Invalid scope: a requested scope is not available to machine-to-machine clients.',
  scope_not_granted: "Invalid scope: a requested scope is not granted to the client's organisation.",
  scope_not_granted_to_consumer: 'Invalid scope: a requested scope is not granted to consumer_org.',
  scope_not_delegated: "consumer_org has not delegated the requested scope to the client's organisation.",
  consent_unknown: 'The consent in authorization_details does not exist or is not given to this consumer.',
  consent_other_consumer:
    'The consent in authorization_details does not exist or is not given to this consumer.',
  consent_from_mismatch: 'authorization_details.from is not the party that gave the consent.',
  consent_not_consented: 'The consent has not been given yet.',
  consent_expired: 'The consent has expired.',
  consent_created: 'The consent has not been accepted yet.',
  consent_rejected: 'The consent was rejected.',
  consent_revoked: 'The consent has been revoked.',
  consent_deleted: 'The consent has been deleted.',
  consent_used: 'The one-time consent has been used.',
};

/** Said only outside production: the checks whose name helps a prober. */
export const DEVELOPMENT_DESCRIPTIONS: Readonly<Record<string, string>> = {
  unknown_client: `${ASSERTION} Client authentication failed: no active client has iss as its client_id.`,
  unknown_kid: `${ASSERTION} Client authentication failed: the client has no registered key with that kid.`,
  key_type: `${ASSERTION} Client authentication failed: the key with that kid is not of the type alg needs.`,
  signature: `${ASSERTION} Client authentication failed: the signature does not verify with the client's key.`,
  consent_unknown: 'The consent in authorization_details does not exist.',
  consent_other_consumer: 'The consent in authorization_details is given to another consumer.',
};
