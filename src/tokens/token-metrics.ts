/** Token endpoint metrics (docs/operations.md lists them; the dashboard and alerts use the names). */
import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsRegistry } from '../common/metrics/metrics-registry.js';

@Injectable()
export class TokenMetrics {
  /** `POST /token` answers by outcome: `issued`, or the OAuth `error` it was refused with. */
  readonly requestsTotal: Counter<'outcome'>;

  constructor(metrics: MetricsRegistry) {
    this.requestsTotal = metrics.counter({
      name: 'token_requests_total',
      help: 'Token requests by outcome: issued, or the OAuth error (invalid_client, invalid_grant, invalid_scope, …).',
      labelNames: ['outcome'],
    });
  }
}
