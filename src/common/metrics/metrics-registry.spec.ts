import { describe, expect, it } from '@jest/globals';
import { MetricsRegistry } from './metrics-registry.js';
import { PlainHistogram } from './plain-histogram.js';

describe('MetricsRegistry', () => {
  it('renders the metrics declared on it in the Prometheus text format', async () => {
    const r = new MetricsRegistry({ processMetrics: false });
    r.counter({ name: 'x_total', help: 'x', labelNames: ['kind'] }).inc({ kind: 'a' }, 2);
    r.gauge({ name: 'y', help: 'y' }).set(7);
    r.histogram({ name: 'z_seconds', help: 'z', buckets: [0.1, 1] }).observe(0.5);
    const text = await r.render();
    expect(text).toContain('# TYPE x_total counter\nx_total{kind="a"} 2');
    expect(text).toContain('y 7');
    expect(text).toContain(
      'z_seconds_bucket{le="0.1"} 0\nz_seconds_bucket{le="1"} 1\nz_seconds_bucket{le="+Inf"} 1',
    );
    expect(r.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('keeps each app’s metrics apart (two replicas in one process report their own numbers)', async () => {
    const a = new MetricsRegistry({ processMetrics: false });
    const b = new MetricsRegistry({ processMetrics: false });
    a.counter({ name: 'calls_total', help: 'calls' }).inc(3);
    b.counter({ name: 'calls_total', help: 'calls' }).inc(1);
    expect(await a.render()).toContain('calls_total 3');
    expect(await b.render()).toContain('calls_total 1');
  });

  it('refuses a second metric of the same name on one registry', () => {
    const r = new MetricsRegistry({ processMetrics: false });
    r.counter({ name: 'dup_total', help: 'a' });
    expect(() => r.counter({ name: 'dup_total', help: 'b' })).toThrow(/already been registered/);
    expect(() => r.collected('dup_total', 'c', 'counter', () => [])).toThrow(/already been registered/);
  });

  it('reads collected metrics only when scraped, so the samples are current', async () => {
    const r = new MetricsRegistry({ processMetrics: false });
    let n = 0;
    r.collected('lazy_total', 'lazy', 'counter', () => [{ labels: { k: 'v' }, value: n }]);
    n = 5;
    expect(await r.render()).toContain('# TYPE lazy_total counter\nlazy_total{k="v"} 5');
    n = 6;
    expect(await r.render()).toContain('lazy_total{k="v"} 6');
  });

  it('adds the process metrics unless told not to', async () => {
    expect(await new MetricsRegistry().render()).toContain('process_cpu_user_seconds_total');
    expect(await new MetricsRegistry({ processMetrics: false }).render()).not.toContain('process_cpu');
  });
});

describe('PlainHistogram', () => {
  it('writes cumulative buckets, sum and count like a prom-client histogram', async () => {
    const h = new PlainHistogram([0.001, 0.01]);
    for (const v of [0.0005, 0.001, 0.005, 2]) h.observe(v);
    const r = new MetricsRegistry({ processMetrics: false });
    r.collected('t_seconds', 't', 'histogram', () => h.samples('t_seconds', { api: 'a' }));
    const reference = r.histogram({
      name: 'ref_seconds',
      help: 'r',
      labelNames: ['api'],
      buckets: [0.001, 0.01],
    });
    for (const v of [0.0005, 0.001, 0.005, 2]) reference.observe({ api: 'a' }, v);
    const lines = (await r.render()).split('\n');
    const ours = lines.filter((l) => l.startsWith('t_seconds')).map((l) => l.replace('t_seconds', ''));
    const theirs = lines.filter((l) => l.startsWith('ref_seconds')).map((l) => l.replace('ref_seconds', ''));
    expect(ours).toEqual(theirs);
    expect(ours).toContain('_bucket{le="0.001",api="a"} 2');
    expect(ours).toContain('_count{api="a"} 4');
  });
});
