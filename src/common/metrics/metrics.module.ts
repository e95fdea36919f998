import { Global, Module } from '@nestjs/common';
import { HttpMetrics } from '../http/http-metrics.js';
import { MetricsRegistry } from './metrics-registry.js';

/** The app's metrics registry, and the HTTP request metrics every route reports to. */
@Global()
@Module({ providers: [MetricsRegistry, HttpMetrics], exports: [MetricsRegistry, HttpMetrics] })
export class MetricsModule {}
