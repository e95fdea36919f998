/**
 * The person's own export (beyond Altinn; GDPR art. 15 and 20): every consent where they are
 * the data subject, with its history, receipt and gateway usage. The format is documented in
 * docs/consent-lifecycle.md#the-persons-export; `formatVersion` changes when a member changes
 * meaning or goes away (new members may appear within a version).
 */
export const PERSON_EXPORT_FORMAT = 'consentgw-person-export';
export const PERSON_EXPORT_VERSION = 1;

export interface PersonExport {
  format: typeof PERSON_EXPORT_FORMAT;
  formatVersion: typeof PERSON_EXPORT_VERSION;
  generatedAt: string;
  /** The person's party URN. */
  subject: string;
  consents: ExportedConsent[];
}

export interface ExportedConsent {
  id: string;
  from: string;
  to: string;
  handledBy: string | null;
  requiredDelegator: string | null;
  status: string;
  createdAt: string;
  validTo: string;
  consented: string | null;
  /**
   * The rights as requested; when the request allowed partial acceptance each also has
   * `required: true` (marked by the consumer) and, once decided, `accepted: true|false`.
   */
  consentRights: unknown[];
  requestMessage: Record<string, string> | null;
  /** The resource versions the consent was given under. */
  resources: { identifier: string; versionId: string }[];
  template: { id: string; version: number };
  /** Every event, oldest first, including reminders (`expiring`) and revocation reasons. */
  events: { id: string; type: string; time: string; performedBy: string | null; reason: string | null }[];
  receipt: {
    language: string;
    acceptedBy: string;
    acceptedAt: string;
    templateId: string;
    templateVersion: number;
    resourceVersions: Record<string, string>;
    /** The text the person saw, as structured text and as the rendered HTML. */
    text: unknown;
    html: string;
  } | null;
  /**
   * The version of the terms in force (beyond Altinn: 1 until an extension is approved), and
   * every version oldest first with when and by whom it was accepted and the text shown then.
   * Empty until the consent is accepted; `receipt` above is version 1's.
   */
  version: number;
  versions: {
    version: number;
    validTo: string;
    consentRights: unknown[];
    acceptedBy: string;
    acceptedAt: string;
    extensionId: string | null;
    receipt: { language: string; text: unknown; html: string };
  }[];
  /** Calls through the gateway under this consent, per UTC day, API and outcome. */
  usage: { day: string; api: string; outcome: string; calls: number }[];
}
