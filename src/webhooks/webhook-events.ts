/**
 * What a delivery carries (DESIGN §10): `{id, type, time, data}`.
 *
 * - `id`: the event's id, the same in every attempt and in every subscription that receives the
 *   event: the receiver's deduplication key (also sent as `X-Webhook-Id`).
 * - `type`: `consent.<eventType>`, e.g. `consent.accepted` (or `access-request.approved` …).
 * - `time`: when this attempt was sent, equal to `X-Webhook-Timestamp` (Unix seconds). It is in
 *   the signed body so a receiver can refuse stale (replayed) messages; when the consent changed
 *   is `data.changedDate`.
 * - `data`: the consent feed's item `{consentRequestId, eventType, changedDate}`, plus `reason` on
 *   a revocation by the data owner or the platform operator, plus `day`, `calls` and
 *   `lastUsedAt` on a daily usage summary (`consent.usage_summary`), plus `acceptedRights`
 *   and `declinedRights` on the `accepted` event of a partial acceptance, `extensionId` on an extension's
 *   events (for an
 *   access-request event: the access request as its API shows it).
 *
 * The stored payload has everything but `time`, which is added when an attempt is signed.
 */
import { ACCESS_REQUEST_EVENT_TYPES } from '../access-requests/access-request-event.record.js';
import type { AcceptedSubset } from '../consents/consent-outcomes.service.js';
import { CONSENT_EVENT_TYPES, type ConsentRight } from '../consents/consent.record.js';

/**
 * Event types a subscription can ask for: the consent feed's lowercase values (delivered as
 * `consent.<eventType>`), and the access-request events (delivered under their own name, with
 * the access request as `data`; both the consumer and the owner receive them).
 */
export const WEBHOOK_EVENT_TYPES: readonly string[] = Object.freeze([
  ...CONSENT_EVENT_TYPES,
  ...ACCESS_REQUEST_EVENT_TYPES,
]);

export interface ConsentEventData {
  consentRequestId: string;
  eventType: string;
  changedDate: string;
  /** Beyond Altinn: why the data owner or the platform operator revoked it (only then). */
  reason?: string;
  /** Beyond Altinn: on `accepted` of a request that allowed partial acceptance, what was accepted… */
  acceptedRights?: ConsentRight[];
  /** …and what the person declined (possibly empty). */
  declinedRights?: ConsentRight[];
  /** `usage_summary` only: the UTC day summarised (`YYYY-MM-DD`). */
  day?: string;
  /** `usage_summary` only: that day's calls per API, consumer and outcome. */
  calls?: { api: string; consumer: string; outcome: string; calls: number }[];
  /** `usage_summary` only: start of the minute of the day's last call that reached the API, or null. */
  lastUsedAt?: string | null;
  /** Beyond Altinn: the extension an `extension_*` / `extended` event is about (only then). */
  extensionId?: string;
}

/** What a `usage_summary` event reports (its row in `consent_usage_summaries`). */
export interface UsageSummaryData {
  day: Date;
  calls: unknown;
  lastUsedAt: Date | null;
}

/** The stored part of a delivery's body. */
export interface StoredPayload {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

export function consentPayload(
  e: {
    id: string;
    consentRequestId: string;
    eventType: string;
    createdAt: Date;
    reason?: string | null;
    extensionId?: string | null;
  },
  extra: { usage?: UsageSummaryData; subset?: AcceptedSubset } = {},
): StoredPayload {
  const data: ConsentEventData = {
    consentRequestId: e.consentRequestId,
    eventType: e.eventType,
    changedDate: e.createdAt.toISOString(),
    ...(e.reason ? { reason: e.reason } : {}),
    ...(extra.usage
      ? {
          day: extra.usage.day.toISOString().slice(0, 10),
          calls: extra.usage.calls as ConsentEventData['calls'],
          lastUsedAt: extra.usage.lastUsedAt?.toISOString() ?? null,
        }
      : {}),
    ...(extra.subset
      ? { acceptedRights: extra.subset.acceptedRights, declinedRights: extra.subset.declinedRights }
      : {}),
    ...(e.extensionId ? { extensionId: e.extensionId } : {}),
  };
  return { id: e.id, type: `consent.${e.eventType}`, data: data as unknown as Record<string, unknown> };
}

/** The exact bytes sent (and signed) for one attempt; `sentAtSeconds` is `X-Webhook-Timestamp`. */
export function renderBody(payload: StoredPayload, sentAtSeconds: number): string {
  return JSON.stringify({
    id: payload.id,
    type: payload.type,
    time: new Date(sentAtSeconds * 1000).toISOString(),
    data: payload.data,
  });
}
