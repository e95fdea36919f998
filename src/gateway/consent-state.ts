/**
 * What the gateway knows about a stored consent and a consent resource, as the checks compare
 * them with a token (the values GatewayStateCache keeps in memory).
 */
import { parsePartyUrn, partyUrn } from '../common/identifiers/party-urn.js';
import type { VersionTerms } from '../consents/consent-extension.record.js';
import type { ConsentRecord, ConsentStatus } from '../consents/consent.record.js';
import type { ConsentResourceView } from '../resources/consent-resource.view.js';
import { normaliseRights } from './consent-detail.js';

/** The parts of a stored consent the gateway compares a token with. */
export interface ConsentState {
  id: string;
  status: ConsentStatus;
  /** Canonical party URN, or null when the stored value does not parse (never matches). */
  fromUrn: string | null;
  toOrg: string;
  /**
   * Org number of the organisation that handles the consent for `to` (set when a `.org` caller
   * made the request for another organisation), or null.
   */
  handledByOrg: string | null;
  validToMs: number;
  consentedMs: number | null;
  /** Canonical rights (see consent-detail.ts), or null when unparsable (never matches). */
  rightsKey: string | null;
  isOneTime: boolean;
  /**
   * When the consent's current terms were set and checked against the resource policy: its
   * creation, or for an extended consent the approval of its current version (the extension was
   * checked when asked, and approved later).
   */
  termsSetMs: number;
  /**
   * What a policy's `maxValidity` counts from at the gateway: the acceptance of the current
   * terms (null when not accepted). `consented` stays the first acceptance (Altinn's meaning), so
   * for an extended consent this is the approval of its current version.
   */
  termsAcceptedMs: number | null;
  /**
   * The terms of the consent's earlier versions (beyond Altinn: an approved extension makes a
   * new one). A token minted under one of them is still within the consent, because an
   * extension only widens it, so it keeps working until it expires. Empty when never extended.
   */
  earlier: ReadonlyArray<{ validToMs: number; rightsKey: string | null }>;
}

/** What the gateway reads of a consent resource (the resources context's cached view itself). */
export type ResourcePolicy = Pick<ConsentResourceView, 'identifier' | 'accessListMode'>;

/** The org number of a stored `handledBy` URN; null when absent or not an organisation. */
function handledByOrg(urn: string | null): string | null {
  if (urn === null) return null;
  const party = parsePartyUrn(urn);
  return party?.type === 'organization' ? party.id : null;
}

export function toConsentState(r: ConsentRecord, versions: readonly VersionTerms[] = []): ConsentState {
  const from = parsePartyUrn(r.from);
  const current = versions.find((v) => v.version === r.version);
  const earlier = versions.filter((v) => v.version < r.version);
  return {
    id: r.id.toLowerCase(),
    status: r.status,
    fromUrn: from ? partyUrn(from) : null,
    toOrg: r.toOrg,
    handledByOrg: handledByOrg(r.handledBy),
    validToMs: r.validTo.getTime(),
    consentedMs: r.consented ? r.consented.getTime() : null,
    // What the consent grants (declined rights of a partial acceptance left out), as tokens carry.
    rightsKey: normaliseRights(r.grantedRights)?.key ?? null,
    isOneTime: r.isOneTime,
    termsSetMs: current ? current.acceptedAt.getTime() : r.createdAt.getTime(),
    termsAcceptedMs: current ? current.acceptedAt.getTime() : r.consented ? r.consented.getTime() : null,
    earlier: earlier.map((t) => ({
      validToMs: t.validTo.getTime(),
      rightsKey: normaliseRights(t.consentRights)?.key ?? null,
    })),
  };
}
