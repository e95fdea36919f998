/**
 * Consent benchmarks (issue #7; DESIGN §7), wired into `npm run bench` by bench/run.ts.
 *
 * - benchConsentCreate: closed-loop POST /consentrequests from `concurrency` keep-alive clients
 *   for `seconds`; target ≥ 500 created/s on PostgreSQL with 20 clients.
 * - benchEventsFeed: puts 1 000 000 events in the database (generate_series) and times the
 *   events-feed page query (exactly the service's SQL, `feedQuery`) with its EXPLAIN; target
 *   < 20 ms per page of 100, by index scans whatever the table size.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Pool } from 'undici';
import { feedQuery } from '../src/consents/consent-events.repository.js';
import { FEED_PAGE_SIZE } from '../src/consents/consent-events.service.js';
import { CONSENT_FEED_LOCK_KEY } from '../src/consents/consent-feed.sequencer.js';
import { migrate } from '../src/prisma/migrator.js';

export interface LatencySummary {
  perSecond: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
}

export interface CreateBenchResult extends LatencySummary {
  created: number;
  errors: number;
  concurrency: number;
  seconds: number;
  /**
   * Service CPU (user + system, all threads) per answered request in µs, when the service's pid
   * was given: steadier than req/s when other work shares the machine.
   */
  serverCpuUsPerRequest?: number;
}

/** User + system CPU time of a process (all threads) in ms, from /proc (Linux); NaN elsewhere. */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime: fields 14 and 15 of the line, in clock ticks (USER_HZ = 100).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

async function median(measure: () => Promise<number>, runs = 9): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(await measure());
  return percentile(
    xs.sort((a, b) => a - b),
    50,
  );
}

/**
 * `body(i)` builds the i-th request (unique ids). Only 201 answers count; anything else is an
 * error (reported, never counted as throughput). With `serverPid` the service's CPU per request
 * over the measured interval is reported too.
 */
export async function benchConsentCreate(
  baseUrl: string,
  token: string,
  body: (i: number) => unknown,
  concurrency = 20,
  seconds = 5,
  serverPid?: number,
): Promise<CreateBenchResult> {
  const url = new URL(baseUrl);
  const pool = new Pool(url.origin, { connections: concurrency, pipelining: 1 });
  const path = `${url.pathname.replace(/\/$/, '')}/accessmanagement/api/v1/enterprise/consentrequests`;
  const headers = {
    authorization: token.startsWith('Bearer ') ? token : `Bearer ${token}`,
    'content-type': 'application/json',
  };
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;

  const one = async (i: number): Promise<boolean> => {
    const res = await pool.request({ method: 'POST', path, headers, body: JSON.stringify(body(i)) });
    const text = await res.body.text();
    if (res.statusCode === 201) return true;
    firstError ??= `${res.statusCode} ${text.slice(0, 300)}`;
    return false;
  };

  // Warm-up (JIT, connection setup, caches) is not measured.
  await Promise.all(Array.from({ length: concurrency }, () => one(next++).catch(() => false)));

  const cpuBefore = serverPid === undefined ? NaN : processCpuMs(serverPid);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const ok = await one(next++).catch(() => false);
        if (ok) latencies.push(performance.now() - t0);
        else errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpuMs = serverPid === undefined ? NaN : processCpuMs(serverPid) - cpuBefore;
  await pool.close();
  if (errors && !latencies.length)
    throw new Error(`consent create bench: every request failed, e.g. ${firstError}`);
  latencies.sort((a, b) => a - b);
  return {
    perSecond: round(latencies.length / elapsed, 1),
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    created: latencies.length,
    errors,
    concurrency,
    seconds,
    ...(Number.isFinite(cpuMs)
      ? { serverCpuUsPerRequest: Math.round((cpuMs * 1000) / (latencies.length + errors)) }
      : {}),
  };
}

export interface FeedBenchResult extends LatencySummary {
  events: number;
  /** Milliseconds (median of 9) for a page at the start, middle and end of one consumer's history. */
  pageMs: { start: number; middle: number; end: number };
  /** EXPLAIN (ANALYZE, BUFFERS) of a page query in the middle of the history. */
  plan: string;
  usesIndex: boolean;
  insertSeconds: number;
}

const BENCH_ORGS = 100;
const BENCH_REQUESTS = 20_000;
/** Fake (not checksum-valid) org numbers, so the bench rows never collide with real ones. */
const benchOrg = (n: number) => `0${String(n).padStart(8, '0')}`;

/**
 * Inserts `events` feed rows (default 1 000 000) spread over 100 consumers, times a page of 100
 * for one consumer, and EXPLAINs it. The rows are removed afterwards unless `keep`.
 */
export async function benchEventsFeed(
  databaseUrl: string,
  options: { events?: number; iterations?: number; keep?: boolean } = {},
): Promise<FeedBenchResult> {
  const events = options.events ?? 1_000_000;
  const iterations = options.iterations ?? 200;
  // The bench is compiled elsewhere (dist-bench/): take the migrations from the checkout.
  const dir = path.resolve('prisma', 'migrations');
  await migrate(databaseUrl, existsSync(dir) ? { dir } : {});
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const t0 = performance.now();
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO consent_requests (id, from_party, to_org, valid_to, consent_rights, resources, resource_versions,
         template_id, template_version, redirect_url, status)
       SELECT md5('consentgw-bench-' || g)::uuid, 'urn:altinn:person:identifier-no:02013299997',
              '0' || lpad((g % ${BENCH_ORGS})::text, 8, '0'), now() + interval '1 year', '[]', '{}', '{}',
              'default', 1, 'https://bench.example/', 'created'
       FROM generate_series(1, ${BENCH_REQUESTS}) g`,
    );
    // Inserted already sequenced, under the sequencer's lock (as a sequencer run would), so a
    // running service's feed stays gap-free while the bench loads.
    await db.query('SELECT pg_advisory_xact_lock($1::bigint)', [CONSENT_FEED_LOCK_KEY]);
    await db.query(
      `INSERT INTO consent_events (seq, id, consent_request_id, event_type, created_at, performed_by, to_org, handled_by)
       SELECT (SELECT GREATEST(COALESCE(MAX(seq), 0), 0) FROM consent_events) + g,
              md5('consentgw-bench-event-' || g)::uuid, md5('consentgw-bench-' || (g % ${BENCH_REQUESTS} + 1))::uuid,
              (ARRAY['created','accepted','rejected','revoked','expired'])[g % 5 + 1],
              now() - make_interval(secs => ${events} - g), 'bench',
              '0' || lpad(((g % ${BENCH_REQUESTS} + 1) % ${BENCH_ORGS})::text, 8, '0'), NULL
       FROM generate_series(1, ${events}) g`,
    );
    await db.query('COMMIT');
    await db.query('ANALYZE consent_requests');
    await db.query('ANALYZE consent_events');
    const insertSeconds = (performance.now() - t0) / 1000;

    const org = benchOrg(7);
    const audience = { toOrgs: [org], handledByOrgs: [org] };
    const { rows } = await db.query<{ lo: string; hi: string }>(
      'SELECT min(seq)::text AS lo, max(seq)::text AS hi FROM consent_events WHERE to_org = $1',
      [org],
    );
    const lo = BigInt(rows[0].lo) - 1n;
    const hi = BigInt(rows[0].hi);
    const at = (afterSeq: bigint) => feedQuery(audience, { afterSeq, limit: FEED_PAGE_SIZE });
    const time = async (afterSeq: bigint, expectFull = false) => {
      const q = at(afterSeq);
      const s = performance.now();
      const r = await db.query(q.text, q.values);
      const ms = performance.now() - s;
      if (expectFull && r.rowCount !== FEED_PAGE_SIZE)
        throw new Error(`feed bench: page had ${r.rowCount} rows`);
      return ms;
    };
    for (let i = 0; i < 20; i++) await time(lo + BigInt(i));
    const samples: number[] = [];
    const span = ((hi - lo) * 9n) / 10n; // pages that are full
    const started = performance.now();
    for (let i = 0; i < iterations; i++)
      samples.push(await time(lo + (span * BigInt(i)) / BigInt(iterations), true));
    const elapsed = (performance.now() - started) / 1000;
    samples.sort((a, b) => a - b);
    const middle = lo + span / 2n;
    const q = at(middle);
    const explain = await db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) ${q.text}`,
      q.values,
    );
    const plan = explain.rows.map((r) => r['QUERY PLAN']).join('\n');
    return {
      events,
      perSecond: round(iterations / elapsed, 1),
      p50: round(percentile(samples, 50), 3),
      p99: round(percentile(samples, 99), 3),
      pageMs: {
        start: round(await median(() => time(lo)), 3),
        middle: round(await median(() => time(middle)), 3),
        end: round(await median(() => time(hi - 50n)), 3),
      },
      plan,
      usesIndex:
        /Index (Only )?Scan using consent_events_(to_org|handled_by)_seq_idx/.test(plan) &&
        !/Seq Scan on consent_events/.test(plan),
      insertSeconds: round(insertSeconds, 1),
    };
  } finally {
    if (!options.keep) {
      await db.query('ROLLBACK').catch(() => undefined);
      await db.query(
        `DELETE FROM consent_requests WHERE id IN (SELECT md5('consentgw-bench-' || g)::uuid FROM generate_series(1, ${BENCH_REQUESTS}) g)`,
      );
    }
    await db.end();
  }
}
