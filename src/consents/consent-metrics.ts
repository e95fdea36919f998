/** Consent lifecycle metrics (docs/operations.md lists them; the dashboard and alerts use the names). */
import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsRegistry } from '../common/metrics/metrics-registry.js';

@Injectable()
export class ConsentMetrics {
  /**
   * One per consent event this replica wrote, by its type (`created`, `accepted`, `rejected`,
   * `revoked`, `deleted`, `expired`, `used`). Counted when the event is written: a transition
   * that loses a race is refused before it writes, so a rollback after the write (the database
   * failing mid-commit) is the only overcount.
   */
  readonly transitionsTotal: Counter<'transition'>;

  constructor(metrics: MetricsRegistry) {
    this.transitionsTotal = metrics.counter({
      name: 'consent_transitions_total',
      help: 'Consent requests entering a state (created, accepted, rejected, revoked, deleted, expired, used).',
      labelNames: ['transition'],
    });
  }

  count(transition: string, n = 1): void {
    this.transitionsTotal.inc({ transition }, n);
  }
}
