/**
 * Gateway throughput and latency (DESIGN §7), one run on loopback: the server under test is
 * pinned to core 0, the load generator and the upstream to core 1 (taskset), each line bounded
 * in time. Lines:
 *
 *   upstream direct                       — the ceiling
 *   bare proxy (node:http + undici)       — no auth at all
 *   jose.jwtVerify + proxy, new token/req — plain RS256 verification in front of the bare proxy
 *   gateway, reused token                 — every check on (local consent: revocation/one-time
 *                                           state, access list, subject), token cache warm
 *   gateway, new token per request        — the same with a distinct token every request
 *   gateway, reused token, tracing on     — a second gateway exporting every request's spans
 *                                           (OTLP/HTTP protobuf, batch span processor) to a sink
 *                                           on loopback; the lines above run with tracing off
 *   data plane, reused / new token        — the same two lines against `dist/gateway-main.js`,
 *                                           the gateway alone, next to the all-in-one process
 *                                           on the same database (PostgreSQL only)
 *   upstream / gateway at a fixed rate    — open loop, for the latency the gateway adds
 *
 * The gateway is the built `dist/main.js` (LOG_LEVEL=warn) on a temporary database: a fresh
 * database on BENCH_DATABASE_URL's (or DATABASE_URL's) server when set, else embedded PGlite in a temporary DATA_DIR
 * (PGlite then lives inside the gateway process and counts towards its RSS).
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import path from 'node:path';
import { NODE_RUNTIME_ENV, NODE_RUNTIME_FLAGS } from '../src/config/runtime-flags.js';
import { startDataPlaneProcess, type RunningDataPlane } from './lib/data-plane.js';
import {
  combine,
  dataPlaneRatios,
  dataPlaneTargets,
  designTargets,
  issue22Targets,
  type BenchRow,
} from './lib/gateway-rows.js';
import { benchDatabase, CONSUMER_ORG, setUp, SUBJECT, type Database } from './lib/gateway-world.js';
import { startIssuer, type BenchIssuer } from './lib/issuer.js';
import { startOtlpSink } from './lib/otlp-sink.js';
import { HERE, hasTaskset, rawRequest, readyPort, runLoad, spawnPinned, stop } from './lib/proc.js';

export type { BenchRow } from './lib/gateway-rows.js';
export { benchDatabase, benchDatabaseUrl, type Database } from './lib/gateway-world.js';

export interface GatewayBench {
  rows: BenchRow[];
  ratios: {
    reusedTokenVsBareProxy: number;
    newTokenVsJoseBaseline: number;
    addedP99MsAtFixedRate: number;
    maxGatewayRssMb: number;
    /** Server CPU per request with tracing on over tracing off (reused token; 1.1 = 10 % more). */
    tracingOnVsOffByCpu: number;
    /** The same comparisons by server CPU per request (less sensitive to other load on the machine). */
    reusedTokenVsBareProxyByCpu: number;
    newTokenVsJoseBaselineByCpu: number;
    newTokenVsBareProxy: number;
    newTokenVsBareProxyByCpu: number;
    /** The data plane (dist/gateway-main.js) on the same measures; absent on embedded PGlite. */
    dataPlane?: {
      reusedTokenVsBareProxyByCpu: number;
      newTokenVsBareProxyByCpu: number;
      reusedTokenVsBareProxy: number;
      addedP99MsAtFixedRate: number;
      maxRssMb: number;
    };
  };
  targets: Array<{ name: string; value: number; target: string; met: boolean }>;
  environment: {
    database: string;
    pinned: boolean;
    roundMs: number;
    rounds: number;
    connections: number;
    fixedRate: number;
    /** 1/5/15-minute load average at the end: other work on the machine skews every number. */
    loadAverage: number[];
    /** What the tracing-on gateway sent to the OTLP sink during the bench. */
    otlpExports: { exports: number; bytes: number };
  };
}

const SERVER_CORE = 0;
const CLIENT_CORE = 1;
const CONNECTIONS = 50;
/**
 * Distinct tokens for the new-token lines: more than the verifier's cache (4 096) and its
 * admission filter hold, so (nearly) every request is a full verification.
 */
const TOKEN_POOL = 14_000;

const DIST = path.resolve(HERE, '../..');
const ROOT = path.resolve(DIST, '..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`${what}: timed out`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface RunningGateway {
  child: ReturnType<typeof spawnPinned>;
  port: number;
  base: string;
  /** Claims of a consumer token that passes every check of the `inntekt` API. */
  claims: Record<string, unknown>;
  /** The consent resource the API honours (metadata key `inntektsaar`). */
  resource: string;
  /** The consumer org of `claims`. */
  consumerOrg: string;
  /** A valid person who gave the consent. */
  subject: string;
}

/**
 * `dist/main.js` on `db`, pinned to the server core, trusting the bench issuer, with the owner,
 * resource, API and consent set up. BENCH_GATEWAY_NODE_ARGS (e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/prof`) is passed to node, to profile the gateway alone. `env` adds settings
 * (bench/usage-log.ts turns the usage log off with it).
 */
export async function startGateway(
  issuer: BenchIssuer,
  db: Database,
  upstreamPort: number,
  /** More settings: the usage log off (bench/usage-log.ts), the OTEL_* variables of the tracing-on line. */
  env: Record<string, string> = {},
): Promise<RunningGateway> {
  const port = await freePort();
  const child = spawnPinned(
    SERVER_CORE,
    path.join(ROOT, 'dist', 'main.js'),
    [],
    {
      ...NODE_RUNTIME_ENV,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: process.env.BENCH_GATEWAY_LOG_LEVEL ?? 'warn',
      TRUSTED_ISSUERS: `${issuer.issuer}|${issuer.jwksUrl}`,
      ...db.env,
      ...env,
    },
    // As `npm start` and the image run it; BENCH_GATEWAY_NODE_ARGS adds to (or overrides) them.
    [...NODE_RUNTIME_FLAGS, ...(process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean)],
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  try {
    await until('gateway readiness', async () =>
      (await fetch(`${base}/health/live`)).ok ? true : undefined,
    );
    const claims = await setUp(base, issuer, db, upstreamPort);
    const detail = (
      claims.authorization_details as Array<{ consentRights: Array<{ resource: Array<{ value: string }> }> }>
    )[0];
    return {
      child,
      port,
      base,
      claims,
      resource: detail.consentRights[0].resource[0].value,
      consumerOrg: CONSUMER_ORG,
      subject: SUBJECT,
    };
  } catch (e) {
    await stop(child);
    throw new Error(`${(e as Error).message}\n${stderr}`, { cause: e });
  }
}

/**
 * Every server runs for the whole bench (idle when not loaded) and the closed-loop lines take
 * turns in short rounds; each line reports the median of its rounds. On a machine whose other
 * load drifts, that compares the lines under the same conditions rather than at different times.
 */
export async function benchGateway(
  o: { roundMs?: number; rounds?: number; log?: (s: string) => void } = {},
): Promise<GatewayBench> {
  const roundMs = o.roundMs ?? Number(process.env.BENCH_ROUND_MS ?? 2000);
  const rounds = o.rounds ?? Number(process.env.BENCH_ROUNDS ?? 5);
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  if (!existsSync(path.join(ROOT, 'dist', 'main.js')))
    throw new Error('dist/main.js is missing: run `npm run build` first');

  const children: Array<ReturnType<typeof spawnPinned>> = [];
  const issuer = await startIssuer();
  const db = await benchDatabase();
  // The tracing-on gateway has a database of its own (embedded PGlite allows one process).
  const tracedDb = await benchDatabase();
  const sink = await startOtlpSink();
  try {
    const upstream = spawnPinned(CLIENT_CORE, path.join(DIST, 'bench', 'servers', 'upstream.js'));
    children.push(upstream);
    const upstreamPort = await readyPort(upstream, 'upstream');
    const origin = `http://127.0.0.1:${upstreamPort}`;

    log('starting the bare proxy, the jose proxy and the gateway (dist/main.js) …');
    const bare = spawnPinned(SERVER_CORE, path.join(DIST, 'bench', 'servers', 'bare-proxy.js'), [origin]);
    children.push(bare);
    const jose = spawnPinned(SERVER_CORE, path.join(DIST, 'bench', 'servers', 'jose-proxy.js'), [
      origin,
      issuer.issuer,
      issuer.jwksUrl,
    ]);
    children.push(jose);
    const [barePort, josePort] = await Promise.all([
      readyPort(bare, 'bare proxy'),
      readyPort(jose, 'jose proxy'),
    ]);
    const gw = await startGateway(issuer, db, upstreamPort);
    children.push(gw.child);
    const traced = await startGateway(issuer, tracedDb, upstreamPort, {
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
      OTEL_SERVICE_NAME: 'consent-gateway-bench',
    });
    children.push(traced.child);
    const tracedReused = issuer.token(traced.claims);
    // The data plane next to `gw` (its control plane) on the same database: PostgreSQL only.
    let dataPlane: RunningDataPlane | undefined;
    if (db.env.DATABASE_URL) {
      log('starting the data plane (dist/gateway-main.js) …');
      dataPlane = await startDataPlaneProcess({
        root: ROOT,
        core: SERVER_CORE,
        port: await freePort(),
        env: {
          DATABASE_URL: db.url(),
          PUBLIC_URL: gw.base,
          TRUSTED_ISSUERS: `${issuer.issuer}|${issuer.jwksUrl}`,
          LOG_LEVEL: process.env.BENCH_GATEWAY_LOG_LEVEL ?? 'warn',
        },
      });
      children.push(dataPlane.child);
    } else
      log('no DATABASE_URL / BENCH_DATABASE_URL: the data plane lines are left out (it needs PostgreSQL)');

    log(`signing ${TOKEN_POOL} distinct tokens …`);
    const fresh = await issuer.tokens(gw.claims, TOKEN_POOL);
    const reused = issuer.token(gw.claims);
    const call = (token: string, port: number) =>
      rawRequest(
        'GET',
        port === upstreamPort ? '/api/income/2024' : '/proxy/inntekt/income/2024',
        { authorization: `Bearer ${token}`, 'x-subject': '02013299997' },
        `127.0.0.1:${port}`,
      );
    // Bare and jose proxies forward any path; give every line the same request bytes.
    const lines: Array<{ name: string; port: number; pid?: number; requests: string[] }> = [
      { name: 'upstream direct', port: upstreamPort, requests: [call(reused, upstreamPort)] },
      {
        name: 'bare proxy (node:http + undici, no auth)',
        port: barePort,
        pid: bare.pid,
        requests: [call(reused, barePort)],
      },
      {
        name: 'jose.jwtVerify + proxy, new token per request',
        port: josePort,
        pid: jose.pid,
        requests: fresh.map((t) => call(t, josePort)),
      },
      { name: 'gateway, reused token', port: gw.port, pid: gw.child.pid, requests: [call(reused, gw.port)] },
      {
        name: 'gateway, new token per request',
        port: gw.port,
        pid: gw.child.pid,
        requests: fresh.map((t) => call(t, gw.port)),
      },
      ...(dataPlane
        ? [
            {
              name: 'data plane, reused token',
              port: dataPlane.port,
              pid: dataPlane.child.pid,
              requests: [call(reused, dataPlane.port)],
            },
            {
              name: 'data plane, new token per request',
              port: dataPlane.port,
              pid: dataPlane.child.pid,
              requests: fresh.map((t) => call(t, dataPlane.port)),
            },
          ]
        : []),
      {
        name: 'gateway, reused token, tracing on',
        port: traced.port,
        pid: traced.child.pid,
        requests: [call(tracedReused, traced.port)],
      },
    ];
    // One call first, so JWKS, routes and caches are warm and the setup is proven.
    for (const [g, token] of [
      [gw, reused],
      [traced, tracedReused],
      ...(dataPlane ? [[{ base: `http://127.0.0.1:${dataPlane.port}` }, reused] as const] : []),
    ] as const) {
      const first = await fetch(`${g.base}/proxy/inntekt/income/2024`, {
        headers: { authorization: `Bearer ${token}`, 'x-subject': '02013299997' },
      });
      if (first.status !== 200) throw new Error(`gateway smoke call: ${first.status} ${await first.text()}`);
    }

    const load = (l: (typeof lines)[number], durationMs: number, warmupMs: number, rate?: number) =>
      runLoad(
        CLIENT_CORE,
        { port: l.port, requests: l.requests, connections: CONNECTIONS, durationMs, warmupMs, rate },
        l.pid,
      );

    log('warm-up …');
    for (const l of lines) await load(l, 500, 500);
    const results = lines.map(() => [] as Array<Awaited<ReturnType<typeof runLoad>>>);
    for (let r = 0; r < rounds; r++) {
      log(`round ${r + 1}/${rounds} …`);
      for (const [i, l] of lines.entries()) results[i].push(await load(l, roundMs, 300));
    }
    const rows = lines.map((l, i) => combine(l.name, results[i], 'closed-loop', l.pid !== undefined));
    const by = (name: string) => rows.find((x) => x.name === name)!;
    const reusedRow = by('gateway, reused token');

    const fixedRate = Math.max(200, Math.min(2000, Math.floor(reusedRow.rps / 2 / 100) * 100));
    log(`open loop at ${fixedRate}/s …`);
    const upFixed = combine(
      `upstream direct @ ${fixedRate}/s`,
      [await load(lines[0], roundMs * rounds, 500, fixedRate)],
      'open-loop',
      false,
    );
    const gwFixed = combine(
      `gateway, reused token @ ${fixedRate}/s`,
      [await load(lines[3], roundMs * rounds, 500, fixedRate)],
      'open-loop',
      true,
    );
    rows.push(upFixed, gwFixed);
    const dpLine = lines.find((l) => l.name === 'data plane, reused token');
    const dpFixed = dpLine
      ? combine(
          `data plane, reused token @ ${fixedRate}/s`,
          [await load(dpLine, roundMs * rounds, 500, fixedRate)],
          'open-loop',
          true,
        )
      : undefined;
    if (dpFixed) rows.push(dpFixed);

    const bareRow = by('bare proxy (node:http + undici, no auth)');
    const joseRow = by('jose.jwtVerify + proxy, new token per request');
    const newRow = by('gateway, new token per request');
    const ratios = {
      reusedTokenVsBareProxy: Number((reusedRow.rps / bareRow.rps).toFixed(3)),
      newTokenVsJoseBaseline: Number((newRow.rps / joseRow.rps).toFixed(3)),
      addedP99MsAtFixedRate: Number((gwFixed.p99Ms - upFixed.p99Ms).toFixed(3)),
      maxGatewayRssMb: Math.max(reusedRow.rssMb ?? 0, newRow.rssMb ?? 0, gwFixed.rssMb ?? 0),
      reusedTokenVsBareProxyByCpu: Number(
        ((bareRow.cpuUsPerReq ?? NaN) / (reusedRow.cpuUsPerReq ?? NaN)).toFixed(3),
      ),
      newTokenVsJoseBaselineByCpu: Number(
        ((joseRow.cpuUsPerReq ?? NaN) / (newRow.cpuUsPerReq ?? NaN)).toFixed(3),
      ),
      newTokenVsBareProxy: Number((newRow.rps / bareRow.rps).toFixed(3)),
      newTokenVsBareProxyByCpu: Number(
        ((bareRow.cpuUsPerReq ?? NaN) / (newRow.cpuUsPerReq ?? NaN)).toFixed(3),
      ),
      dataPlane: dpFixed ? dataPlaneRatios(by, bareRow, upFixed, dpFixed) : undefined,
      tracingOnVsOffByCpu: Number(
        (
          (by('gateway, reused token, tracing on').cpuUsPerReq ?? NaN) / (reusedRow.cpuUsPerReq ?? NaN)
        ).toFixed(3),
      ),
    };
    const service = {
      reusedByCpu: ratios.reusedTokenVsBareProxyByCpu,
      newByCpu: ratios.newTokenVsBareProxyByCpu,
      addedP99Ms: ratios.addedP99MsAtFixedRate,
      rssMb: ratios.maxGatewayRssMb,
    };
    const targets = [
      ...issue22Targets('', 'gateway', service, fixedRate, CONNECTIONS),
      ...designTargets(ratios.reusedTokenVsBareProxy, ratios.maxGatewayRssMb),
      ...dataPlaneTargets(ratios.dataPlane, fixedRate, CONNECTIONS),
    ];
    const bad = rows.filter((x) => x.non2xx > 0);
    if (bad.length)
      log(`warning: non-2xx answers in ${bad.map((x) => `${x.name} (${x.non2xx})`).join(', ')}`);
    return {
      rows,
      ratios,
      targets,
      environment: {
        database: db.label,
        pinned: hasTaskset(),
        roundMs,
        rounds,
        connections: CONNECTIONS,
        fixedRate,
        loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
        otlpExports: { exports: sink.exports, bytes: sink.bytes },
      },
    };
  } finally {
    for (const c of children.reverse()) await stop(c);
    await issuer.close();
    await sink.close();
    await db.drop().catch(() => undefined);
    await tracedDb.drop().catch(() => undefined);
  }
}
