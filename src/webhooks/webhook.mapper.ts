import type { WebhookDelivery, WebhookSubscription } from '../generated/prisma/client.js';
import type { DeliveryStatus, WebhookDeliveryDto, WebhookDto } from './dto/webhook.dto.js';
import type { StoredPayload } from './webhook-events.js';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** A subscription as the API shows it: never the secret. */
export function toWebhookDto(row: WebhookSubscription): WebhookDto {
  return {
    id: row.id,
    url: row.url,
    eventTypes: [...row.eventTypes],
    active: row.active,
    failureCount: row.failureCount,
    failingSince: iso(row.failingSince),
    disabledAt: iso(row.disabledAt),
    disabledReason: row.disabledReason,
    createdAt: row.createdAt.toISOString(),
  };
}

export function toDeliveryDto(row: WebhookDelivery): WebhookDeliveryDto {
  const payload = row.payload as unknown as StoredPayload;
  const status = row.status as DeliveryStatus;
  return {
    id: row.id,
    eventId: row.eventId,
    type: payload.type,
    data: payload.data,
    status,
    attempts: row.attempts,
    nextAttemptAt: status === 'pending' ? row.nextAttemptAt.toISOString() : null,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    deliveredAt: iso(row.deliveredAt),
    createdAt: row.createdAt.toISOString(),
  };
}
