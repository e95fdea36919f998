/**
 * Altinn party URNs and ISO 6523 organisation identifiers (DESIGN §4.3, §10).
 * Parsing is exact (lowercase prefix, no whitespace, checksum-valid number) so a value that
 * passes here can be compared with `===` everywhere else.
 */
import { isValidOrgNumber } from './org-number.js';
import { isValidPersonNumber } from './person-number.js';

export const PERSON_URN_PREFIX = 'urn:altinn:person:identifier-no:';
export const ORGANIZATION_URN_PREFIX = 'urn:altinn:organization:identifier-no:';
/** ISO 6523 ICD for the Norwegian Enhetsregisteret, as used in Maskinporten `consumer.ID`. */
export const ISO6523_NO_ORG_PREFIX = '0192:';
export const ISO6523_AUTHORITY = 'iso6523-actorid-upis';

export type PartyType = 'person' | 'organization';

export interface Party {
  type: PartyType;
  /** 11-digit person number or 9-digit org number. */
  id: string;
}

/** Parses `urn:altinn:person:identifier-no:<11>` or `urn:altinn:organization:identifier-no:<9>`. */
export function parsePartyUrn(s: unknown): Party | null {
  if (typeof s !== 'string') return null;
  if (s.startsWith(PERSON_URN_PREFIX)) {
    const id = s.slice(PERSON_URN_PREFIX.length);
    return isValidPersonNumber(id) ? { type: 'person', id } : null;
  }
  if (s.startsWith(ORGANIZATION_URN_PREFIX)) {
    const id = s.slice(ORGANIZATION_URN_PREFIX.length);
    return isValidOrgNumber(id) ? { type: 'organization', id } : null;
  }
  return null;
}

/** `urn:altinn:organization:identifier-no:<orgno>`; throws on an invalid org number (a bug). */
export function orgUrn(orgNumber: string): string {
  if (!isValidOrgNumber(orgNumber)) throw new TypeError('orgUrn: invalid organisation number');
  return ORGANIZATION_URN_PREFIX + orgNumber;
}

/** `urn:altinn:person:identifier-no:<pid>`; throws on an invalid person number (a bug). */
export function personUrn(personNumber: string): string {
  if (!isValidPersonNumber(personNumber)) throw new TypeError('personUrn: invalid person number');
  return PERSON_URN_PREFIX + personNumber;
}

/** URN for a parsed party. */
export function partyUrn(party: Party): string {
  return party.type === 'person' ? personUrn(party.id) : orgUrn(party.id);
}

/**
 * A subject as sent to the gateway (DESIGN §10 "Subject match"): a bare 11-digit person number,
 * a bare 9-digit org number, or a party URN. Checksums are enforced; anything else is null.
 */
export function parseSubjectValue(s: unknown): Party | null {
  if (typeof s !== 'string') return null;
  if (s.length === 11 && isValidPersonNumber(s)) return { type: 'person', id: s };
  if (s.length === 9 && isValidOrgNumber(s)) return { type: 'organization', id: s };
  return parsePartyUrn(s);
}

/** `0192:<orgno>` → orgno (checksum-valid), else null. */
export function parseIso6523Org(s: unknown): string | null {
  if (typeof s !== 'string' || !s.startsWith(ISO6523_NO_ORG_PREFIX)) return null;
  const orgNumber = s.slice(ISO6523_NO_ORG_PREFIX.length);
  return isValidOrgNumber(orgNumber) ? orgNumber : null;
}

/** orgno → `0192:<orgno>`; throws on an invalid org number (a bug). */
export function iso6523Org(orgNumber: string): string {
  if (!isValidOrgNumber(orgNumber)) throw new TypeError('iso6523Org: invalid organisation number');
  return ISO6523_NO_ORG_PREFIX + orgNumber;
}
