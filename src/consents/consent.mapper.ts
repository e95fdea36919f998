/**
 * Explicit mappers: Prisma row → ConsentRecord (what other contexts get) → wire DTOs (Altinn's
 * shapes, DESIGN §4.6). The effective status is decided here once, so no reader can show a
 * consent past its `validTo` as accepted, even before the expiry sweeper has written it.
 */
import { orgUrn } from '../common/identifiers/party-urn.js';
import type {
  ConsentReceipt as ConsentReceiptRow,
  ConsentRequest as ConsentRequestRow,
} from '../generated/prisma/client.js';
import {
  CONSENT_STATUSES,
  type ConsentEventRecord,
  type ConsentRecord,
  type ConsentRight,
  type ConsentReceipt,
  type ConsentStatus,
} from './consent.record.js';
import { grantedRights, readPartialAcceptance, rightsWithOutcome } from './consent-partial-acceptance.js';
import type {
  ConsentDetailsDto,
  ConsentEventDto,
  ConsentLookupResponseDto,
} from './dto/consent-request.dto.js';

/** Statuses that end at `validTo`: an accepted consent and an unanswered request. */
const EXPIRING: ReadonlySet<string> = new Set(['accepted', 'created']);

export function effectiveStatus(status: string, validTo: Date, now: Date = new Date()): ConsentStatus {
  if (EXPIRING.has(status) && validTo.getTime() <= now.getTime()) return 'expired';
  return status as ConsentStatus;
}

export function toRecord(row: ConsentRequestRow, now: Date = new Date()): ConsentRecord {
  const consentRights = row.consentRights as unknown as ConsentRight[];
  const partialAcceptance = readPartialAcceptance(row.partialAcceptance);
  return {
    id: row.id,
    from: row.fromParty,
    to: orgUrn(row.toOrg),
    toOrg: row.toOrg,
    handledBy: row.handledBy ? orgUrn(row.handledBy) : null,
    requiredDelegator: row.requiredDelegator,
    validTo: row.validTo,
    consented: row.consented,
    status: effectiveStatus(row.status, row.validTo, now),
    consentRights,
    grantedRights: grantedRights(consentRights, partialAcceptance),
    partialAcceptance,
    requestMessage: (row.requestMessage as Record<string, string> | null) ?? null,
    redirectUrl: row.redirectUrl,
    portalViewMode: row.portalViewMode.toLowerCase(),
    isOneTime: row.isOneTime,
    templateId: row.templateId,
    templateVersion: row.templateVersion,
    resourceVersions: row.resourceVersions as Record<string, string>,
    resources: row.resources,
    createdAt: row.createdAt,
    version: row.version,
  };
}

/** What the person saw when accepting, as stored (version 1's receipt). */
export function toReceipt(r: ConsentReceiptRow): ConsentReceipt {
  return {
    language: r.language,
    html: r.html,
    text: r.text,
    templateId: r.templateId,
    templateVersion: r.templateVersion,
    resourceVersions: r.resourceVersions as Record<string, string>,
    acceptedBy: r.acceptedBy,
    acceptedAt: r.acceptedAt,
  };
}

export function viewUri(publicUrl: string, id: string): string {
  return `${publicUrl}/consent/request?id=${encodeURIComponent(id)}`;
}

/** Altinn's `consentRequestEvents` hold status changes only (see EXTENSION_EVENT_TYPES). */
export function isStatusEvent(e: ConsentEventRecord): e is ConsentEventRecord & { eventType: ConsentStatus } {
  return (CONSENT_STATUSES as readonly string[]).includes(e.eventType);
}

export function toEventDto(e: ConsentEventRecord & { eventType: ConsentStatus }): ConsentEventDto {
  return {
    consentEventID: e.id,
    created: e.createdAt.toISOString(),
    performedBy: e.performedBy,
    eventType: e.eventType,
    consentRequestID: e.consentRequestId,
    // Beyond Altinn, and only on a revocation by the owner or operator, so Altinn's shape is kept.
    ...(e.reason ? { reason: e.reason } : {}),
  };
}

function rightsDto(rights: ConsentRight[]): ConsentRight[] {
  return rights.map((r) => ({
    action: [...r.action],
    resource: r.resource.map((x) => ({ type: x.type, value: x.value })),
    metadata: r.metadata && Object.keys(r.metadata).length ? { ...r.metadata } : null,
  }));
}

/** Altinn's ConsentRequestDetails, field for field and in Altinn's order. */
export function toDetailsDto(
  record: ConsentRecord,
  events: ConsentEventRecord[],
  publicUrl: string,
): ConsentDetailsDto {
  return {
    id: record.id,
    from: record.from,
    to: record.to,
    requiredDelegator: record.requiredDelegator,
    handledBy: record.handledBy,
    validTo: record.validTo.toISOString(),
    consentRights: detailRights(record),
    requestMessage: record.requestMessage,
    status: record.status,
    consented: record.consented ? record.consented.toISOString() : null,
    redirectUrl: record.redirectUrl,
    consentRequestEvents: events.filter(isStatusEvent).map(toEventDto),
    viewUri: viewUri(publicUrl, record.id),
    portalViewMode: record.portalViewMode,
    // Beyond Altinn, and only on a request that opted in, so Altinn's shape is kept otherwise.
    ...(record.partialAcceptance ? { allowPartialAcceptance: true } : {}),
  };
}

/** Altinn's rights; on a partial request each also says `required` and, once decided, `accepted`. */
function detailRights(record: ConsentRecord): ConsentRight[] {
  const rights = rightsDto(record.consentRights);
  return record.partialAcceptance ? rightsWithOutcome(rights, record.partialAcceptance) : rights;
}

/** What an external issuer (Maskinporten) gets from the lookup: the consent as signed into tokens. */
export function toLookupDto(record: ConsentRecord): ConsentLookupResponseDto {
  return {
    id: record.id,
    from: record.from,
    to: record.to,
    handledBy: record.handledBy,
    consented: record.consented ? record.consented.toISOString() : null,
    validTo: record.validTo.toISOString(),
    // Only what the person accepted: an issuer must not put a declined right in a token.
    consentRights: rightsDto(record.grantedRights),
  };
}
