/** Request durations of every route (DESIGN §4.12), recorded by configureApp's onResponse hook. */
import { Injectable } from '@nestjs/common';
import type { Histogram } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics-registry.js';

@Injectable()
export class HttpMetrics {
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(metrics: MetricsRegistry) {
    this.requestDuration = metrics.histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route template, method and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
  }
}
