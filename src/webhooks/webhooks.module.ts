import { Module } from '@nestjs/common';
import { AccessRequestsModule } from '../access-requests/access-requests.module.js';
import { ConsentsModule } from '../consents/consents.module.js';
import { AccessRequestWebhooks } from './access-request-webhooks.js';
import { WebhookDeliveryWorker } from './webhook-delivery.worker.js';
import { WebhookMetrics } from './webhook-metrics.js';
import { WebhookOutboxService } from './webhook-outbox.service.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Layer 4: webhook subscriptions, the outbox fan-out from consent events and the delivery
 * worker. Reads the consent events table (layer 3) in commit order; never writes it. Hooks into
 * access-request changes (layer 3) through ChangeLogService's outbox for topic `access-request`.
 * Exports WebhookOutboxService so another context can queue its own events in its transaction
 * (`enqueue(tx, event)`).
 */
@Module({
  imports: [AccessRequestsModule, ConsentsModule],
  controllers: [WebhooksController],
  providers: [
    WebhooksService,
    WebhookOutboxService,
    WebhookDeliveryWorker,
    AccessRequestWebhooks,
    WebhookMetrics,
  ],
  exports: [WebhookOutboxService, WebhookDeliveryWorker],
})
export class WebhooksModule {}
