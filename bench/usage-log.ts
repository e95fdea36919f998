/**
 * What the usage log (issue 21) costs on the gateway's hot path: the "gateway, reused token" line
 * of bench/gateway.ts twice, with the usage recorder on (as always in production) and off
 * (`GATEWAY_USAGE_LOG=off`, a setting production refuses), in one run.
 *
 * The two gateways (built `dist/main.js`, each on its own temporary database) are pinned to the
 * same server core and idle when not loaded; the lines take turns in short rounds, the order
 * alternating (on-off, off-on, …) so drifting load on a shared machine hits both alike. Each line
 * reports the median of its rounds; the figure that matters is the server's CPU per request.
 * Afterwards the usage rows are counted, proving the one gateway recorded and the other did not.
 *
 * `node dist-bench/bench/usage-log.js` runs it alone; `npm run bench` runs it with the rest.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { benchDatabase, startGateway, type Database, type RunningGateway } from './gateway.js';
import { startIssuer } from './lib/issuer.js';
import { HERE, cpuMs, hasTaskset, rawRequest, readyPort, runLoad, spawnPinned, stop } from './lib/proc.js';

const CLIENT_CORE = 1;
const CONNECTIONS = 50;
const DIST = path.resolve(HERE, '../..');

export interface UsageLogLine {
  name: string;
  /** Medians of the rounds. */
  rps: number;
  p99Ms: number;
  cpuUsPerReq: number;
  /** Every round's CPU µs per request, in order (to see the spread). */
  cpuUsPerReqRounds: number[];
  requests: number;
  non2xx: number;
  /** Rows the gateway wrote to `gateway_usage` during the bench. */
  usageRows: number;
}

export interface UsageLogBench {
  lines: UsageLogLine[];
  /** Recorder on minus off, CPU µs per request (median of the per-round differences). */
  costUsPerReq: number;
  /** The same as a share of the gateway's CPU per request with the log on. */
  costShare: number;
  environment: {
    pinned: boolean;
    rounds: number;
    roundMs: number;
    connections: number;
    loadAverage: number[];
  };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function usageRows(db: Database): Promise<number> {
  const c = new pg.Client({ connectionString: db.url() });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM gateway_usage');
    return rows[0].n;
  } finally {
    await c.end();
  }
}

export async function benchUsageLog(
  o: { rounds?: number; roundMs?: number; log?: (s: string) => void } = {},
): Promise<UsageLogBench> {
  const rounds = o.rounds ?? Number(process.env.BENCH_USAGE_ROUNDS ?? 8);
  const roundMs = o.roundMs ?? Number(process.env.BENCH_USAGE_ROUND_MS ?? 2000);
  const warmupMs = Number(process.env.BENCH_USAGE_WARMUP_MS ?? 2000);
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const issuer = await startIssuer();
  const dbs = [await benchDatabase(), await benchDatabase()];
  const children: Array<RunningGateway['child']> = [];
  try {
    const upstream = spawnPinned(CLIENT_CORE, path.join(DIST, 'bench', 'servers', 'upstream.js'));
    children.push(upstream);
    const upstreamPort = await readyPort(upstream, 'upstream');
    log('starting two gateways: usage log on, usage log off …');
    const on = await startGateway(issuer, dbs[0], upstreamPort);
    children.push(on.child);
    const off = await startGateway(issuer, dbs[1], upstreamPort, { GATEWAY_USAGE_LOG: 'off' });
    children.push(off.child);
    const gateways = [
      { name: 'gateway, reused token, usage log on', gw: on, db: dbs[0] },
      { name: 'gateway, reused token, usage log off', gw: off, db: dbs[1] },
    ];
    const requestOf = (gw: RunningGateway) =>
      rawRequest(
        'GET',
        '/proxy/inntekt/income/2024',
        { authorization: `Bearer ${issuer.token(gw.claims)}`, 'x-subject': '02013299997' },
        `127.0.0.1:${gw.port}`,
      );
    /**
     * One round: every request counted (no warm-up inside the round), and the server's CPU read
     * right before the load generator starts and after it exits, so the CPU and the requests
     * cover the same work however long the generator takes to start on a loaded machine.
     */
    const load = async (gw: RunningGateway, durationMs: number) => {
      const pid = gw.child.pid!;
      const before = cpuMs(pid);
      const r = await runLoad(CLIENT_CORE, {
        port: gw.port,
        requests: [requestOf(gw)],
        connections: CONNECTIONS,
        durationMs,
        warmupMs: 0,
      });
      return { ...r, serverCpuMs: cpuMs(pid) - before };
    };
    log('warm-up …');
    // Long enough for the hot path to be optimised on a slow machine, as in a long-running replica.
    for (let i = 0; i < 2; i++) for (const g of gateways) await load(g.gw, warmupMs);
    const results = gateways.map(() => [] as Array<Awaited<ReturnType<typeof load>>>);
    for (let r = 0; r < rounds; r++) {
      log(`round ${r + 1}/${rounds} …`);
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) results[i].push(await load(gateways[i].gw, roundMs));
    }
    // The recorder flushes about once a second: wait for the last batch before counting.
    await new Promise((r) => setTimeout(r, 1500));
    const cpu = (x: (typeof results)[number][number]) => (x.serverCpuMs * 1000) / x.requests;
    const lines: UsageLogLine[] = [];
    for (const [i, g] of gateways.entries()) {
      const rs = results[i];
      lines.push({
        name: g.name,
        rps: Math.round(median(rs.map((x) => x.rps))),
        p99Ms: Number(median(rs.map((x) => x.p99Ms)).toFixed(3)),
        cpuUsPerReq: Number(median(rs.map(cpu)).toFixed(1)),
        cpuUsPerReqRounds: rs.map((x) => Number(cpu(x).toFixed(1))),
        requests: rs.reduce((n, x) => n + x.requests, 0),
        non2xx: rs.reduce(
          (n, x) =>
            n +
            x.errors +
            Object.entries(x.statuses)
              .filter(([s]) => !s.startsWith('2'))
              .reduce((m, [, c]) => m + c, 0),
          0,
        ),
        usageRows: await usageRows(g.db),
      });
    }
    // Rounds are paired (on and off back to back), so their difference cancels most drift.
    const diffs = results[0].map((x, r) => cpu(x) - cpu(results[1][r]));
    const costUsPerReq = Number(median(diffs).toFixed(1));
    return {
      lines,
      costUsPerReq,
      costShare: Number((costUsPerReq / lines[0].cpuUsPerReq).toFixed(3)),
      environment: {
        pinned: hasTaskset(),
        rounds,
        roundMs,
        connections: CONNECTIONS,
        loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
      },
    };
  } finally {
    for (const c of children.reverse()) await stop(c);
    await issuer.close();
    for (const db of dbs) await db.drop().catch(() => undefined);
  }
}

if (process.argv[1]?.endsWith('usage-log.js'))
  benchUsageLog().then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
