/**
 * A histogram kept as plain numbers for a hot path (see MetricsRegistry.collected): `observe`
 * is a short loop and three additions, no label hashing and no allocation; the Prometheus
 * samples are written only when /metrics is scraped.
 */
import type { Sample } from './metrics-registry.js';

export class PlainHistogram {
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

  /** The `_bucket` (cumulative), `_sum` and `_count` samples of `name` with `labels` added. */
  samples(name: string, labels: Record<string, string>): Sample[] {
    const out: Sample[] = [];
    let cumulative = 0;
    this.buckets.forEach((le, i) => {
      cumulative += this.counts[i];
      out.push({ metricName: `${name}_bucket`, labels: { le, ...labels }, value: cumulative });
    });
    out.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', ...labels }, value: this.count });
    out.push({ metricName: `${name}_sum`, labels, value: this.sum });
    out.push({ metricName: `${name}_count`, labels, value: this.count });
    return out;
  }
}
