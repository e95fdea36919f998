/**
 * The event of an access-request change, as other contexts see it (DESIGN §4.4: "webhooks notify
 * them"). The change is published through ChangeLogService with topic `access-request` and this
 * event as its payload: a higher layer (webhooks) registers an outbox writer for the topic, which
 * runs inside the transaction that makes the change, and hears of the commit on the ChangeBus.
 */
import { randomUUID } from 'node:crypto';
import type { AccessRequestDto } from './dto/access-request.dto.js';

export const ACCESS_REQUEST_EVENT_TYPES = [
  'access-request.created',
  'access-request.approved',
  'access-request.rejected',
  'access-request.withdrawn',
] as const;
export type AccessRequestEventType = (typeof ACCESS_REQUEST_EVENT_TYPES)[number];

export interface AccessRequestEvent {
  /** Unique per change (a webhook can use it as its stable delivery id). */
  id: string;
  type: AccessRequestEventType;
  /** ISO time of the change (= the request's `updatedAt`). */
  time: string;
  /** The request after the change, as both parties see it through the API. */
  request: AccessRequestDto;
  /** Org numbers to notify: the consumer and the owner. */
  parties: { consumer: string; owner: string };
}

/** Builds the event for a change (called inside the transaction). */
export function accessRequestEvent(
  type: AccessRequestEventType,
  request: AccessRequestDto,
): AccessRequestEvent {
  return {
    id: randomUUID(),
    type,
    time: request.updatedAt,
    request,
    parties: { consumer: request.consumerOrgNumber, owner: request.ownerOrgNumber },
  };
}
