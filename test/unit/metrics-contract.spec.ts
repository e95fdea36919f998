/**
 * The metric names and labels are a contract: docs/operations.md lists them and the alerts there
 * query them. Every metric the contexts declare on the app's registry is checked against that
 * table, both ways, with the labels each one is written with.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { MetricsRegistry } from '../../src/common/metrics/metrics-registry.js';
import { GatewayMetrics } from '../../src/gateway/gateway-metrics.js';
import { appMetricsExposition } from '../helpers/app-metrics.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `name` → label names, from the rows of the metrics table in docs/operations.md. */
function documented(): Map<string, string[]> {
  const doc = readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');
  const out = new Map<string, string[]>();
  for (const row of doc.split('\n').filter((l) => l.startsWith('| `'))) {
    const first = row.split('|')[1];
    const perIssuer = first.includes('(per issuer)');
    for (const [, name, labels] of first.matchAll(/`([a-z_]+)(?:\{([a-z_,]+)\})?`/g))
      out.set(name, labels ? labels.split(',') : perIssuer ? ['issuer'] : []);
  }
  return out;
}

describe('the metrics (docs/operations.md)', () => {
  it('are exactly the documented names, each with exactly its documented labels', async () => {
    const text = await appMetricsExposition();
    const declared = [...text.matchAll(/^# TYPE ([a-z_]+) /gm)].map((m) => m[1]).sort();
    const docs = documented();
    expect(declared).toEqual([...docs.keys()].sort());
    for (const [name, labels] of docs) {
      const line = text.split('\n').find((l) => /^[a-z_]+[{ ]/.test(l) && l.startsWith(name));
      expect(line).toBeDefined();
      const written = [...(line!.match(/\{(.*)\}/)?.[1] ?? '').matchAll(/([a-z_]+)="/g)].map((m) => m[1]);
      expect({ name, labels: written.filter((l) => l !== 'le').sort() }).toEqual({
        name,
        labels: [...labels].sort(),
      });
    }
  });

  it('keep the gateway’s counts per API apart, and never label a request that matched no API', async () => {
    const registry = new MetricsRegistry({ processMetrics: false });
    const gateway = new GatewayMetrics(registry);
    expect(gateway.api('a')).toBe(gateway.api('a')); // bound once, kept by the route
    gateway.api('a').count('upstream_2xx');
    gateway.api('a').count('upstream_2xx');
    gateway.api('b').count('GW-00004');
    gateway.api('').count('GW-00001');
    gateway.api('').check.observe(0.001);
    const text = await registry.render();
    expect(text).toContain('gateway_requests_total{api="a",outcome="upstream_2xx"} 2');
    expect(text).toContain('gateway_requests_total{api="b",outcome="GW-00004"} 1');
    expect(text).toContain('gateway_requests_total{api="",outcome="GW-00001"} 1');
    expect(text).not.toContain('gateway_check_duration_seconds_count{api=""}');
  });
});
