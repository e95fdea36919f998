/**
 * The Grafana dashboard (docs/grafana/consent-gateway.json) and the Prometheus alert rules
 * (docs/prometheus/alerts.yml) are shipped for operators to import as they are: both must parse,
 * have the shape their tools load, and query only metrics the service really exposes — checked
 * against the app's own registry, so renaming a metric without them fails here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { exposedSeriesNames } from '../helpers/app-metrics.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** Prometheus' own series: scraped by Prometheus itself, not exposed by the app. */
const PROMETHEUS_SERIES = new Set(['up']);
const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
]);

/**
 * The metric names a PromQL expression selects: what is left once strings, label matchers,
 * range and subquery brackets, grouping clauses, numbers and function calls are taken out.
 */
function metricsIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$__\w+/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?/g)) {
    if (m[1]) continue; // a function
    if (PROMQL_WORDS.has(m[0])) continue;
    names.add(m[0]);
  }
  return [...names];
}

let exposed: Set<string>;
beforeAll(async () => {
  exposed = await exposedSeriesNames(true);
});

function expectExposed(exprs: string[]): void {
  const used = new Set(exprs.flatMap(metricsIn));
  expect(used.size).toBeGreaterThan(0);
  const unknown = [...used].filter((n) => !exposed.has(n) && !PROMETHEUS_SERIES.has(n));
  expect(unknown).toEqual([]);
}

describe('metricsIn (the PromQL reading the checks below rely on)', () => {
  it('finds the selected metrics and nothing else', () => {
    expect(
      metricsIn(
        'histogram_quantile(0.99, sum by (le, api) (rate(gateway_check_duration_seconds_bucket{api=~"a|b"}[5m]))) / ignoring(x) up > 0.5 and (sum(x_total) or vector(0)) == 0',
      ).sort(),
    ).toEqual(['gateway_check_duration_seconds_bucket', 'up', 'x_total']);
  });
});

describe('docs/grafana/consent-gateway.json', () => {
  const dashboard = JSON.parse(read('docs/grafana/consent-gateway.json')) as {
    title: string;
    uid: string;
    schemaVersion: number;
    templating: { list: Array<{ name: string; type: string; query: string }> };
    panels: Array<{
      type: string;
      title: string;
      id: number;
      gridPos: { h: number; w: number; x: number; y: number };
      datasource?: { type: string; uid: string };
      targets?: Array<{ expr: string; refId: string }>;
    }>;
  };
  const graphs = dashboard.panels.filter((p) => p.type !== 'row');

  it('is an importable dashboard: title, uid, a Prometheus data-source variable, unique panel ids', () => {
    expect(dashboard).toMatchObject({ title: 'consent-gateway', uid: 'consent-gateway' });
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      expect(p.title).toEqual(expect.any(String));
    }
  });

  it('queries through the data-source variable, only metrics the service exposes', () => {
    expect(graphs.length).toBeGreaterThanOrEqual(10);
    for (const p of graphs) {
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets?.length).toBeGreaterThan(0);
    }
    expectExposed(graphs.flatMap((p) => p.targets!.map((t) => t.expr)));
  });

  it('shows the business metrics: consents by transition, tokens by outcome, gateway decisions by code and API', () => {
    const exprs = graphs.flatMap((p) => p.targets!.map((t) => t.expr)).join('\n');
    expect(exprs).toContain('sum by (transition) (increase(consent_transitions_total');
    expect(exprs).toContain('sum by (outcome) (rate(token_requests_total');
    expect(exprs).toContain('sum by (api, outcome) (rate(gateway_requests_total');
  });
});

describe('docs/prometheus/alerts.yml', () => {
  const rules = parseYaml(read('docs/prometheus/alerts.yml')) as {
    groups: Array<{ name: string; rules: Array<Record<string, unknown>> }>;
  };
  const all = rules.groups.flatMap((g) => g.rules);

  it('is a Prometheus rule file: named groups of alerts with an expression, a severity and a summary', () => {
    expect(rules.groups.length).toBeGreaterThan(0);
    const names = all.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const r of all) {
      expect(r).toMatchObject({
        alert: expect.stringMatching(/^[A-Z][A-Za-z0-9]+$/),
        expr: expect.any(String),
        labels: { severity: expect.stringMatching(/^(critical|warning|info)$/) },
        annotations: { summary: expect.any(String), description: expect.any(String) },
      });
      if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smh]$/);
      expect(
        Object.keys(r).filter((k) => !['alert', 'expr', 'for', 'labels', 'annotations'].includes(k)),
      ).toEqual([]);
    }
  });

  it('queries only metrics the service exposes', () => {
    expectExposed(all.map((r) => String(r.expr)));
  });

  it('has the alerts docs/operations.md lists', () => {
    const doc = read('docs/operations.md');
    for (const r of all) expect(doc).toContain(`\`${String(r.alert)}\``);
  });
});
