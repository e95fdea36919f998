/** The gateway bench's rows: one per line from its rounds, and the data plane's ratios and targets. */
import type { GatewayBench } from '../gateway.js';
import type { runLoad } from './proc.js';

export interface BenchRow {
  name: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  rssMb: number | null;
  /** Server CPU (user + system, all threads) per request, µs: robust when other work shares the machine. */
  cpuUsPerReq: number | null;
  requests: number;
  non2xx: number;
  mode: 'closed-loop' | 'open-loop';
}

export function row(
  name: string,
  r: Awaited<ReturnType<typeof runLoad>>,
  mode: BenchRow['mode'],
  withRss: boolean,
): BenchRow {
  const non2xx = Object.entries(r.statuses)
    .filter(([s]) => !s.startsWith('2'))
    .reduce((n, [, c]) => n + c, 0);
  return {
    name,
    rps: Math.round(r.rps),
    p50Ms: Number(r.p50Ms.toFixed(3)),
    p99Ms: Number(r.p99Ms.toFixed(3)),
    rssMb: withRss ? Math.round(r.peakRssBytes / 1024 / 1024) : null,
    cpuUsPerReq:
      withRss && Number.isFinite(r.serverCpuMs) && r.requests
        ? Math.round((r.serverCpuMs * 1000) / r.requests)
        : null,
    requests: r.requests,
    non2xx: non2xx + r.errors,
    mode,
  };
}

type Row = BenchRow;

/** The data plane's figures against the same bare proxy and upstream rows of this run. */
export function dataPlaneRatios(
  by: (name: string) => Row,
  bareRow: Row,
  upFixed: Row,
  dpFixed: Row,
): NonNullable<GatewayBench['ratios']['dataPlane']> {
  const reused = by('data plane, reused token');
  const fresh = by('data plane, new token per request');
  const byCpu = (r: Row) => Number(((bareRow.cpuUsPerReq ?? NaN) / (r.cpuUsPerReq ?? NaN)).toFixed(3));
  return {
    reusedTokenVsBareProxyByCpu: byCpu(reused),
    newTokenVsBareProxyByCpu: byCpu(fresh),
    reusedTokenVsBareProxy: Number((reused.rps / bareRow.rps).toFixed(3)),
    addedP99MsAtFixedRate: Number((dpFixed.p99Ms - upFixed.p99Ms).toFixed(3)),
    maxRssMb: Math.max(reused.rssMb ?? 0, fresh.rssMb ?? 0, dpFixed.rssMb ?? 0),
  };
}

type Target = GatewayBench['targets'][number];
const atLeast = (name: string, value: number, min: number): Target => ({
  name,
  value,
  target: `≥ ${min}`,
  met: value >= min,
});
const below = (name: string, value: number, max: number): Target => ({
  name,
  value,
  target: `< ${max}`,
  met: value < max,
});

/**
 * Issue 22's four targets for one entry (the service: no prefix; the data plane: 'data plane: '),
 * against the bare node:http + undici proxy measured in the same run.
 */
export function issue22Targets(
  prefix: string,
  rssName: string,
  r: { reusedByCpu: number; newByCpu: number; addedP99Ms: number; rssMb: number },
  fixedRate: number,
  connections: number,
): Target[] {
  return [
    atLeast(`${prefix}reused token ≥ 0.9× bare proxy (by CPU per request)`, r.reusedByCpu, 0.9),
    atLeast(`${prefix}new token per request ≥ 0.6× bare proxy (by CPU per request)`, r.newByCpu, 0.6),
    below(`${prefix}p99 added latency @ ${fixedRate}/s, ${connections} connections (ms)`, r.addedP99Ms, 1),
    below(`${rssName} RSS after both runs (MB, peak)`, r.rssMb, 150),
  ];
}

/** DESIGN §7's older targets, which the all-in-one process must meet in any case. */
export function designTargets(reusedVsBareProxy: number, rssMb: number): Target[] {
  return [
    atLeast('DESIGN §7: reused token ≥ 0.75× bare proxy (by req/s)', reusedVsBareProxy, 0.75),
    below('DESIGN §7: gateway RSS (MB, peak)', rssMb, 200),
  ];
}

/** Issue 22's four targets, for the data plane. */
export function dataPlaneTargets(
  dp: GatewayBench['ratios']['dataPlane'],
  fixedRate: number,
  connections: number,
): Target[] {
  if (!dp) return [];
  const r = {
    reusedByCpu: dp.reusedTokenVsBareProxyByCpu,
    newByCpu: dp.newTokenVsBareProxyByCpu,
    addedP99Ms: dp.addedP99MsAtFixedRate,
    rssMb: dp.maxRssMb,
  };
  return issue22Targets('data plane: ', 'data plane', r, fixedRate, connections);
}

/** Median of the rounds for rates and latencies, worst for memory. */
export function combine(
  name: string,
  rounds: Array<Awaited<ReturnType<typeof runLoad>>>,
  mode: BenchRow['mode'],
  withServer: boolean,
): BenchRow {
  const rows = rounds.map((r) => row(name, r, mode, withServer));
  const med = (f: (r: BenchRow) => number) => {
    const v = rows.map(f).sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)];
  };
  return {
    name,
    rps: med((r) => r.rps),
    p50Ms: med((r) => r.p50Ms),
    p99Ms: med((r) => r.p99Ms),
    rssMb: withServer ? Math.max(...rows.map((r) => r.rssMb ?? 0)) : null,
    cpuUsPerReq: withServer ? med((r) => r.cpuUsPerReq ?? NaN) : null,
    requests: rows.reduce((n, r) => n + r.requests, 0),
    non2xx: rows.reduce((n, r) => n + r.non2xx, 0),
    mode,
  };
}
