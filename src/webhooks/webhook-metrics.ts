/** Webhook metrics on prom-client's default registry (served at /metrics; docs/operations.md). */
import { Counter, Histogram } from 'prom-client';
import { singleMetric } from '../health/metrics.service.js';

export const webhookAttemptsTotal = singleMetric<Counter<'outcome'>>(
  'webhook_attempts_total',
  () =>
    new Counter({
      name: 'webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome: delivered, retry (failed, will be retried), failed (gave up after 24 h).',
      labelNames: ['outcome'] as const,
    }),
);

export const webhookAttemptSeconds = singleMetric(
  'webhook_attempt_duration_seconds',
  () =>
    new Histogram({
      name: 'webhook_attempt_duration_seconds',
      help: 'Duration of one webhook delivery attempt (until the receiver answered or the attempt failed).',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
);

export const webhookQueuedTotal = singleMetric(
  'webhook_deliveries_queued_total',
  () =>
    new Counter({
      name: 'webhook_deliveries_queued_total',
      help: 'Webhook deliveries created from events (one per event and subscription).',
    }),
);

export const webhookSubscriptionsDisabledTotal = singleMetric(
  'webhook_subscriptions_disabled_total',
  () =>
    new Counter({
      name: 'webhook_subscriptions_disabled_total',
      help: 'Webhook subscriptions disabled after 24 h of failed deliveries.',
    }),
);
