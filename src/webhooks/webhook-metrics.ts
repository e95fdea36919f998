/** Webhook delivery metrics (docs/operations.md lists them; alerts use the names). */
import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from '../common/metrics/metrics-registry.js';

@Injectable()
export class WebhookMetrics {
  readonly attemptsTotal: Counter<'outcome'>;
  readonly attemptSeconds: Histogram;
  readonly queuedTotal: Counter;
  readonly subscriptionsDisabledTotal: Counter;

  constructor(metrics: MetricsRegistry) {
    this.attemptsTotal = metrics.counter({
      name: 'webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome: delivered, retry (failed, will be retried), failed (gave up after 24 h).',
      labelNames: ['outcome'],
    });
    this.attemptSeconds = metrics.histogram({
      name: 'webhook_attempt_duration_seconds',
      help: 'Duration of one webhook delivery attempt (until the receiver answered or the attempt failed).',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    this.queuedTotal = metrics.counter({
      name: 'webhook_deliveries_queued_total',
      help: 'Webhook deliveries created from events (one per event and subscription).',
    });
    this.subscriptionsDisabledTotal = metrics.counter({
      name: 'webhook_subscriptions_disabled_total',
      help: 'Webhook subscriptions disabled after 24 h of failed deliveries.',
    });
  }
}
