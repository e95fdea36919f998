/**
 * The consent as other contexts see it (portal, token issuer, gateway, webhooks). A stable,
 * flattened view built by an explicit mapper; never a Prisma row.
 */
export type ConsentStatus = 'created' | 'accepted' | 'rejected' | 'revoked' | 'deleted' | 'expired' | 'used';

export const CONSENT_STATUSES: readonly ConsentStatus[] = Object.freeze([
  'created',
  'accepted',
  'rejected',
  'revoked',
  'deleted',
  'expired',
  'used',
]);

/**
 * Event types beyond Altinn: not status changes, and left out of Altinn's shapes (the feed shows
 * them only when asked for by `eventType`, a consent's `consentRequestEvents` never), so an
 * unmodified Altinn client never meets a value it does not know.
 */
export type ExtensionEventType =
  | 'expiring'
  | 'extension_requested'
  | 'extended'
  | 'extension_declined'
  | 'extension_cancelled'
  | 'usage_summary';
export const EXTENSION_EVENT_TYPES: readonly ExtensionEventType[] = Object.freeze([
  'expiring',
  'extension_requested',
  'extended',
  'extension_declined',
  'extension_cancelled',
  'usage_summary',
]);

/** What a consent event can be: a status change, a reminder (`expiring`) or a day's usage (`usage_summary`). */
export type ConsentEventType = ConsentStatus | ExtensionEventType;
export const CONSENT_EVENT_TYPES: readonly ConsentEventType[] = Object.freeze([
  ...CONSENT_STATUSES,
  ...EXTENSION_EVENT_TYPES,
]);

export interface ConsentRight {
  action: string[];
  resource: { type: 'urn:altinn:resource'; value: string }[];
  metadata?: Record<string, string> | null;
}

/** A request that allows partial acceptance; rights are named by their index in `consentRights`. */
export interface PartialAcceptance {
  /** Rights the consumer marked required: the person cannot accept without them. */
  required: number[];
  /** Rights the person declined; null until the person has decided. */
  declined: number[] | null;
}

export interface ConsentRecord {
  id: string;
  /** Party URN of the data subject (person or organisation). */
  from: string;
  /** Organisation URN of the consumer. */
  to: string;
  /** The consumer's 9-digit org number. */
  toOrg: string;
  /** Organisation URN of a supplier acting for the consumer, or null. */
  handledBy: string | null;
  requiredDelegator: string | null;
  validTo: Date;
  consented: Date | null;
  /** Effective status: an accepted (or unanswered) consent past `validTo` reads as `expired`. */
  status: ConsentStatus;
  /** The rights as requested (Altinn's `consentRights`), accepted or not. */
  consentRights: ConsentRight[];
  /**
   * The rights the consent grants: `consentRights` minus those the person declined (partial
   * acceptance). Tokens, the gateway and the issuer lookup use this, never `consentRights`.
   */
  grantedRights: ConsentRight[];
  /** Partial acceptance (beyond Altinn): null unless the consumer opted in. */
  partialAcceptance: PartialAcceptance | null;
  requestMessage: Record<string, string> | null;
  redirectUrl: string;
  portalViewMode: string;
  isOneTime: boolean;
  templateId: string;
  templateVersion: number;
  /** `{resourceIdentifier: versionId}` the request was created under. */
  resourceVersions: Record<string, string>;
  resources: string[];
  createdAt: Date;
  /** The version of the terms in force (beyond Altinn): 1 as first accepted, +1 per extension. */
  version: number;
}

export interface ConsentReceiptInput {
  language: 'nb' | 'nn' | 'en';
  html: string;
  text: unknown;
}

export interface ConsentReceipt {
  language: string;
  html: string;
  text: unknown;
  templateId: string;
  templateVersion: number;
  resourceVersions: Record<string, string>;
  /** Person URN of who accepted. */
  acceptedBy: string;
  acceptedAt: Date;
  /** Which version of the consent's terms this receipt is of (1 = as first accepted). */
  version?: number;
  /** That version's `validTo` (a later extension moves the consent's own). */
  validTo?: Date;
}

/** One row of a consent's history, as Altinn's `consentRequestEvents`. */
export interface ConsentEventRecord {
  id: string;
  seq: bigint;
  consentRequestId: string;
  eventType: ConsentEventType;
  createdAt: Date;
  performedBy: string | null;
  /** Why the data owner or the platform operator revoked it (beyond Altinn); null otherwise. */
  reason: string | null;
  /** The extension an `extension_*` / `extended` event is about (beyond Altinn). */
  extensionId?: string | null;
}
