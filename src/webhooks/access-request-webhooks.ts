/**
 * Access-request events as webhooks (DESIGN §4.4: "webhooks notify them"). The access-requests
 * context (layer 3) cannot import webhooks (layer 4), so it offers hooks (AccessRequestEvents) and
 * this class registers on them: inside the transaction that changes a request, one delivery per
 * subscription of the consumer and of the owner that asks for the event type — so the delivery
 * commits with the change or not at all — and, after the commit, a nudge to the worker.
 */
import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AccessRequestEvents } from '../access-requests/access-request-events.js';
import { WebhookDeliveryWorker } from './webhook-delivery.worker.js';
import { WebhookOutboxService } from './webhook-outbox.service.js';

@Injectable()
export class AccessRequestWebhooks implements OnModuleInit, OnModuleDestroy {
  private readonly unregister: (() => void)[] = [];

  constructor(
    private readonly events: AccessRequestEvents,
    private readonly outbox: WebhookOutboxService,
    private readonly worker: WebhookDeliveryWorker,
  ) {}

  onModuleInit(): void {
    this.unregister.push(
      this.events.useInTransaction(async (tx, e) => {
        await this.outbox.enqueue(tx, {
          id: e.id,
          type: e.type,
          subscriptionEventType: e.type,
          orgs: [e.parties.consumer, e.parties.owner],
          data: e.request as unknown as Record<string, unknown>,
        });
      }),
      this.events.onChange(() => this.worker.kick()),
    );
  }

  onModuleDestroy(): void {
    for (const off of this.unregister.splice(0)) off();
  }
}
