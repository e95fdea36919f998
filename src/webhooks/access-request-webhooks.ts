/**
 * Access-request events as webhooks (DESIGN §4.4: "webhooks notify them"). The access-requests
 * context (layer 3) cannot import webhooks (layer 4), so its changes go through ChangeLogService
 * (topic `access-request`) and this class registers an outbox writer there: inside the
 * transaction that changes a request, one delivery per subscription of the consumer and of the
 * owner that asks for the event type — so the delivery commits with the change or not at all —
 * and, after the commit (here or on another replica), a nudge to the worker.
 */
import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { AccessRequestEvent } from '../access-requests/access-request-event.record.js';
import { ChangeLogService } from '../audit/change-log.service.js';
import { ChangeBus } from '../common/events/change-bus.js';
import { WebhookDeliveryWorker } from './webhook-delivery.worker.js';
import { WebhookOutboxService } from './webhook-outbox.service.js';

@Injectable()
export class AccessRequestWebhooks implements OnModuleInit, OnModuleDestroy {
  private readonly unregister: (() => void)[] = [];

  constructor(
    private readonly changes: ChangeLogService,
    private readonly bus: ChangeBus,
    private readonly outbox: WebhookOutboxService,
    private readonly worker: WebhookDeliveryWorker,
  ) {}

  onModuleInit(): void {
    this.unregister.push(
      this.changes.useOutbox<AccessRequestEvent>('access-request', async (tx, change) => {
        const e = change.payload;
        if (!e) return;
        await this.outbox.enqueue(tx, {
          id: e.id,
          type: e.type,
          subscriptionEventType: e.type,
          orgs: [e.parties.consumer, e.parties.owner],
          data: e.request as unknown as Record<string, unknown>,
        });
      }),
    );
    this.bus.subscribe((e) => {
      if (e.topic === 'access-request') this.worker.kick();
    });
  }

  onModuleDestroy(): void {
    for (const off of this.unregister.splice(0)) off();
  }
}
