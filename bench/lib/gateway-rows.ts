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

/** Issue 22's four targets, for the data plane. */
export function dataPlaneTargets(
  dp: GatewayBench['ratios']['dataPlane'],
  fixedRate: number,
  connections: number,
): GatewayBench['targets'] {
  if (!dp) return [];
  return [
    {
      name: 'data plane: reused token ≥ 0.9× bare proxy (by CPU per request)',
      value: dp.reusedTokenVsBareProxyByCpu,
      target: '≥ 0.9',
      met: dp.reusedTokenVsBareProxyByCpu >= 0.9,
    },
    {
      name: 'data plane: new token per request ≥ 0.6× bare proxy (by CPU per request)',
      value: dp.newTokenVsBareProxyByCpu,
      target: '≥ 0.6',
      met: dp.newTokenVsBareProxyByCpu >= 0.6,
    },
    {
      name: `data plane: p99 added latency @ ${fixedRate}/s, ${connections} connections (ms)`,
      value: dp.addedP99MsAtFixedRate,
      target: '< 1',
      met: dp.addedP99MsAtFixedRate < 1,
    },
    {
      name: 'data plane RSS after both runs (MB, peak)',
      value: dp.maxRssMb,
      target: '< 150',
      met: dp.maxRssMb < 150,
    },
  ];
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
