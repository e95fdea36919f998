/**
 * The one metrics registry of an app instance (DESIGN §4.12, served at /metrics). Each context
 * declares its own metrics through it (AuthMetrics, GatewayMetrics, WebhookMetrics, HttpMetrics)
 * and gets them injected; nothing registers on prom-client's process-wide default registry.
 *
 * One registry per app rather than per process: each app instance reports what it did, as a
 * replica does in production, and two apps in one process (the e2e replica tests) no longer add
 * up into one set of numbers. The process metrics (`process_*`, `nodejs_*`) are collected into
 * it as well; prom-client cannot stop their GC observer, so an app closed in a long-lived
 * process leaves that one observer behind (tests only: the service runs one app).
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type Metric,
} from 'prom-client';

/** One line of a metric computed at scrape time. */
export interface Sample {
  value: number;
  labels: Record<string, string | number>;
  /** For histograms: `<name>_bucket`, `<name>_sum`, `<name>_count`. */
  metricName?: string;
}

type Declared<C> = Omit<C, 'registers'>;

export interface MetricsRegistryOptions {
  /** `process_*` and `nodejs_*` (default true; unit tests that build many registries turn them off). */
  processMetrics?: boolean;
}

export const METRICS_REGISTRY_OPTIONS = Symbol('MetricsRegistryOptions');

@Injectable()
export class MetricsRegistry {
  private readonly registry = new Registry();

  constructor(@Optional() @Inject(METRICS_REGISTRY_OPTIONS) options: MetricsRegistryOptions = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  counter<L extends string = string>(config: Declared<CounterConfiguration<L>>): Counter<L> {
    return new Counter<L>({ ...config, registers: [this.registry] });
  }

  gauge<L extends string = string>(config: Declared<GaugeConfiguration<L>>): Gauge<L> {
    return new Gauge<L>({ ...config, registers: [this.registry] });
  }

  histogram<L extends string = string>(config: Declared<HistogramConfiguration<L>>): Histogram<L> {
    return new Histogram<L>({ ...config, registers: [this.registry] });
  }

  /**
   * A metric whose samples are computed when /metrics is scraped, from numbers the caller keeps.
   * For hot paths: prom-client's labelled `inc`/`observe` hash the label set on every call, which
   * cost several percent of a proxied request; a plain `n++` costs nothing measurable.
   */
  collected(
    name: string,
    help: string,
    type: 'counter' | 'gauge' | 'histogram',
    samples: () => Sample[],
  ): void {
    const metric = {
      name,
      help,
      type,
      aggregator: 'sum',
      get: () => Promise.resolve({ name, help, type, aggregator: 'sum', values: samples() }),
      reset: () => undefined,
    };
    this.registry.registerMetric(metric as unknown as Metric);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
