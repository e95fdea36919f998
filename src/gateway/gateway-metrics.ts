/**
 * Gateway metrics (DESIGN §4.12): requests per API and outcome, time spent in the gateway's own
 * checks, upstream latency, and cache lookups (hit ratio = hit / (hit + miss) per cache). The
 * names and labels are a contract (docs/operations.md, the alerts).
 *
 * The request path only bumps plain numbers on objects bound once per API (`api(name)`, kept
 * by the route): prom-client's labelled `inc`/`observe` hash the label set on every call, which
 * cost several percent of a proxied request. The numbers become Prometheus series when /metrics
 * is scraped (MetricsRegistry.collected). Unknown API names are never used as labels.
 */
import { Injectable } from '@nestjs/common';
import { MetricsRegistry, type Sample } from '../common/metrics/metrics-registry.js';
import { PlainHistogram } from '../common/metrics/plain-histogram.js';

const CHECK_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];
const UPSTREAM_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Counters and histograms of one API. */
export class ApiMetrics {
  readonly outcomes = new Map<string, { n: number }>();
  readonly check = new PlainHistogram(CHECK_BUCKETS);
  readonly upstream = new PlainHistogram(UPSTREAM_BUCKETS);

  count(outcome: string): void {
    const c = this.outcomes.get(outcome);
    if (c) c.n++;
    else this.outcomes.set(outcome, { n: 1 });
  }
}

@Injectable()
export class GatewayMetrics {
  private readonly apis = new Map<string, ApiMetrics>();
  private readonly cacheLookups = new Map<string, { hit: number; miss: number }>();

  constructor(metrics: MetricsRegistry) {
    metrics.collected(
      'gateway_requests_total',
      'Requests through the gateway by API and outcome (upstream_2xx … upstream_5xx, or the GW-* problem code).',
      'counter',
      () => {
        const out: Sample[] = [];
        for (const [api, m] of this.apis)
          for (const [outcome, c] of m.outcomes) out.push({ labels: { api, outcome }, value: c.n });
        return out;
      },
    );
    metrics.collected(
      'gateway_check_duration_seconds',
      'Time from request arrival until the gateway decided (proxy or refuse), by API.',
      'histogram',
      () => this.histogramSamples('gateway_check_duration_seconds', (m) => m.check),
    );
    metrics.collected(
      'gateway_upstream_duration_seconds',
      'Time from sending the request upstream until its response headers arrived, by API.',
      'histogram',
      () => this.histogramSamples('gateway_upstream_duration_seconds', (m) => m.upstream),
    );
    metrics.collected(
      'gateway_cache_lookups_total',
      'Gateway cache lookups by cache (token, consent, resource, access_list) and result (hit, miss).',
      'counter',
      () => {
        const out: Sample[] = [];
        for (const [cache, c] of this.cacheLookups) {
          out.push({ labels: { cache, result: 'hit' }, value: c.hit });
          out.push({ labels: { cache, result: 'miss' }, value: c.miss });
        }
        return out;
      },
    );
  }

  /** The metrics of an API, made on first use; '' collects requests that matched no API. */
  api(name: string): ApiMetrics {
    let m = this.apis.get(name);
    if (!m) {
      m = new ApiMetrics();
      this.apis.set(name, m);
    }
    return m;
  }

  /** An arrow, so caches can take it as their lookup callback. */
  readonly countCacheLookup = (cache: string, hit: boolean): void => {
    let c = this.cacheLookups.get(cache);
    if (!c) {
      c = { hit: 0, miss: 0 };
      this.cacheLookups.set(cache, c);
    }
    if (hit) c.hit++;
    else c.miss++;
  };

  private histogramSamples(name: string, pick: (m: ApiMetrics) => PlainHistogram): Sample[] {
    const out: Sample[] = [];
    for (const [api, m] of this.apis) if (api) out.push(...pick(m).samples(name, { api }));
    return out;
  }
}
