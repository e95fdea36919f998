/**
 * Gateway metrics (DESIGN §4.12), served by the health module's /metrics from prom-client's
 * default registry: requests per API and outcome, time spent in the gateway's own checks,
 * upstream latency, and cache lookups (hit ratio = hit / (hit + miss) per cache).
 *
 * The request path only bumps plain numbers: prom-client's labelled `inc`/`observe` hash the
 * label set on every call, which cost several percent of a proxied request. The numbers are
 * turned into Prometheus series when /metrics is scraped (custom collectors registered on the
 * default registry). State is per process, like prom-client's own metrics, so several app
 * instances in one process (e2e tests) add up. Unknown API names are never used as labels.
 */
import { register, type Metric } from 'prom-client';

const CHECK_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];
const UPSTREAM_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class LocalHistogram {
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly buckets: readonly number[]) {
    this.counts = new Float64Array(buckets.length + 1);
  }

  observe(seconds: number): void {
    const b = this.buckets;
    let i = 0;
    while (i < b.length && seconds > b[i]) i++;
    this.counts[i]++;
    this.sum += seconds;
    this.count++;
  }
}

/** Counters and histograms of one API. */
export class ApiMetrics {
  readonly outcomes = new Map<string, { n: number }>();
  readonly check = new LocalHistogram(CHECK_BUCKETS);
  readonly upstream = new LocalHistogram(UPSTREAM_BUCKETS);

  count(outcome: string): void {
    const c = this.outcomes.get(outcome);
    if (c) c.n++;
    else this.outcomes.set(outcome, { n: 1 });
  }
}

const apis = new Map<string, ApiMetrics>();
const cacheLookups = new Map<string, { hit: number; miss: number }>();

/** The (process-wide) metrics of an API; '' collects requests that matched no API. */
export function apiMetrics(api: string): ApiMetrics {
  let m = apis.get(api);
  if (!m) {
    m = new ApiMetrics();
    apis.set(api, m);
  }
  return m;
}

export function countCacheLookup(cache: string, hit: boolean): void {
  let c = cacheLookups.get(cache);
  if (!c) {
    c = { hit: 0, miss: 0 };
    cacheLookups.set(cache, c);
  }
  if (hit) c.hit++;
  else c.miss++;
}

interface Sample {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

interface Collector {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; values: Sample[]; aggregator: 'sum' }>;
  reset(): void;
}

function collector(name: string, help: string, type: Collector['type'], values: () => Sample[]): void {
  if (register.getSingleMetric(name)) return;
  const c: Collector = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, values: values(), aggregator: 'sum' }),
    reset: () => undefined,
  };
  register.registerMetric(c as unknown as Metric);
}

function histogramSamples(name: string, pick: (m: ApiMetrics) => LocalHistogram): Sample[] {
  const out: Sample[] = [];
  for (const [api, m] of apis) {
    if (!api) continue;
    const h = pick(m);
    let cumulative = 0;
    h.buckets.forEach((le, i) => {
      cumulative += h.counts[i];
      out.push({ metricName: `${name}_bucket`, labels: { le, api }, value: cumulative });
    });
    out.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', api }, value: h.count });
    out.push({ metricName: `${name}_sum`, labels: { api }, value: h.sum });
    out.push({ metricName: `${name}_count`, labels: { api }, value: h.count });
  }
  return out;
}

collector(
  'gateway_requests_total',
  'Requests through the gateway by API and outcome (upstream_2xx … upstream_5xx, or the GW-* problem code).',
  'counter',
  () => {
    const out: Sample[] = [];
    for (const [api, m] of apis)
      for (const [outcome, c] of m.outcomes) out.push({ labels: { api, outcome }, value: c.n });
    return out;
  },
);
collector(
  'gateway_check_duration_seconds',
  'Time from request arrival until the gateway decided (proxy or refuse), by API.',
  'histogram',
  () => histogramSamples('gateway_check_duration_seconds', (m) => m.check),
);
collector(
  'gateway_upstream_duration_seconds',
  'Time from sending the request upstream until its response headers arrived, by API.',
  'histogram',
  () => histogramSamples('gateway_upstream_duration_seconds', (m) => m.upstream),
);
collector(
  'gateway_cache_lookups_total',
  'Gateway cache lookups by cache (token, consent, resource, access_list) and result (hit, miss).',
  'counter',
  () => {
    const out: Sample[] = [];
    for (const [cache, c] of cacheLookups) {
      out.push({ labels: { cache, result: 'hit' }, value: c.hit });
      out.push({ labels: { cache, result: 'miss' }, value: c.miss });
    }
    return out;
  },
);
