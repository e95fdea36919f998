import { Injectable } from '@nestjs/common';
import { Histogram, collectDefaultMetrics, register, type Metric } from 'prom-client';

let defaultsCollected = false;

/**
 * Prometheus metrics on prom-client's default registry. Several Nest apps may live in one
 * process (e2e tests start two replicas), so metrics are created once and shared.
 */
export function singleMetric<T extends Metric>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

@Injectable()
export class MetricsService {
  readonly httpDuration = singleMetric(
    'http_request_duration_seconds',
    () =>
      new Histogram({
        name: 'http_request_duration_seconds',
        help: 'HTTP request duration by route template, method and status',
        labelNames: ['method', 'route', 'status'] as const,
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      }),
  );

  constructor() {
    if (!defaultsCollected) {
      collectDefaultMetrics();
      defaultsCollected = true;
    }
  }

  contentType(): string {
    return register.contentType;
  }

  async render(): Promise<string> {
    return register.metrics();
  }
}
