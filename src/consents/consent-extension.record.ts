/**
 * Extensions and versions of a consent (beyond Altinn; docs/consent-lifecycle.md#extending-a-consent),
 * as other contexts see them (portal, gateway). Plain types, built by explicit mappers.
 */
import type { ConsentRight } from './consent.record.js';

/**
 * `lapsed` is never stored: a pending extension reads as lapsed once the consent it would extend
 * is no longer accepted and unexpired (revoked, expired, used), since it can then never be approved.
 */
export type ConsentExtensionStatus = 'pending' | 'approved' | 'declined' | 'cancelled' | 'lapsed';

export const EXTENSION_STATUSES: readonly ConsentExtensionStatus[] = Object.freeze([
  'pending',
  'approved',
  'declined',
  'cancelled',
  'lapsed',
]);

export interface ConsentExtensionRecord {
  id: string;
  consentRequestId: string;
  status: ConsentExtensionStatus;
  /** The consent's version when the extension was asked for. */
  baseVersion: number;
  previousValidTo: Date;
  validTo: Date;
  /** Organisation URN of the consumer (or `handledBy`) that asked. */
  requestedBy: string;
  createdAt: Date;
  /** Who approved or declined (person URN), or the organisation that cancelled. */
  decidedBy: string | null;
  decidedAt: Date | null;
  /** The version approving it made. */
  version: number | null;
}

/** One version of a consent's terms, with when and by whom it was accepted. */
export interface ConsentVersionRecord {
  version: number;
  validTo: Date;
  consentRights: ConsentRight[];
  acceptedBy: string;
  acceptedAt: Date;
  /** The extension that made this version; null for version 1. */
  extensionId: string | null;
}

/** The terms of one version, as the gateway compares a token with them. */
export interface VersionTerms {
  version: number;
  validTo: Date;
  /** What was granted under this version (a partial acceptance's declined rights left out). */
  consentRights: ConsentRight[];
  /** When the person approved this version: its terms were set (and checked) then. */
  acceptedAt: Date;
}
