/**
 * Access-list check benchmark (issue #6; DESIGN §7: "an access-list check costs the same with
 * 100 000 members as with 10"), wired into `npm run bench` by bench/run.ts.
 *
 * Seeds one owner, one resource and two lists connected to it — 10 and 100 000 members, each
 * inserted by one `INSERT … SELECT generate_series` with check digits computed in SQL — and then
 * measures AccessListCheckService:
 *   - uncached: `isAllowedUncached`, the database query (what must be indexed), half members and
 *     half non-members, rounds interleaved between the two lists so machine noise hits both;
 *   - cached: `isAllowed` with a warm cache (what the gateway pays per request).
 * Every answer is checked (a wrong answer is an error, never throughput). The plan of the query is
 * EXPLAINed against the 100 000-member list. Everything seeded is removed afterwards.
 * Without a database URL it runs on an in-memory PGlite (the embedded default).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { AccessListCheckService } from '../src/access-lists/access-list-check.service.js';
import { accessCheckQuery } from '../src/access-lists/access-lists.repository.js';
import { ChangeBus } from '../src/common/events/change-bus.js';
import type { DatabaseConnection } from '../src/prisma/database-connection.js';
import { startEmbeddedDatabase } from '../src/prisma/embedded-database.js';
import { migrate } from '../src/prisma/migrator.js';
import { PrismaService } from '../src/prisma/prisma.service.js';

export interface CheckRate {
  /** Uncached checks per second (the database path). */
  checksPerSec: number;
  /** Uncached latency, milliseconds. */
  p50Ms: number;
  p99Ms: number;
  /** Cached checks per second (warm cache). */
  cachedChecksPerSec: number;
  members: number;
}

export interface AccessListBenchResult {
  database: 'postgresql' | 'pglite';
  members10: CheckRate;
  members100k: CheckRate;
  /** members100k / members10 uncached throughput; ≈ 1 means the cost does not grow with size. */
  ratio: number;
  /** EXPLAIN ANALYZE of the check against the 100 000-member list. */
  plan: string;
  /** True when the plan looks members up by index, never by a sequential scan. */
  usesIndex: boolean;
  errors: number;
  seedSeconds: number;
}

const ACTION = 'requestconsent';
const CONCURRENCY = 4;
const SAMPLE = 500;

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** SQL for the org number whose 8-digit base is `b` (NULL when no check digit exists). */
const ORG_FROM_BASE = `(SELECT b::text || CASE WHEN r = 0 THEN '0' ELSE (11 - r)::text END
   FROM (SELECT (3*substr(b::text,1,1)::int + 2*substr(b::text,2,1)::int + 7*substr(b::text,3,1)::int
              + 6*substr(b::text,4,1)::int + 5*substr(b::text,5,1)::int + 4*substr(b::text,6,1)::int
              + 3*substr(b::text,7,1)::int + 2*substr(b::text,8,1)::int) % 11 AS r) s
   WHERE r <> 1)`;

async function seedMembers(db: pg.Client, listId: string, firstBase: number, count: number): Promise<void> {
  // ~1 in 11 bases has no valid check digit: take enough candidates and stop at `count`.
  await db.query(
    `INSERT INTO access_list_members (list_id, org_number)
     SELECT $1::uuid, o FROM (SELECT ${ORG_FROM_BASE} AS o FROM generate_series($2::int, $2::int + $3::int) AS b) x
     WHERE o IS NOT NULL LIMIT $4`,
    [listId, firstBase, Math.ceil(count * 1.2) + 20, count],
  );
}

async function sampleOrgs(db: pg.Client, sql: string, values: unknown[]): Promise<string[]> {
  return (await db.query<{ o: string }>(sql, values)).rows.map((r) => r.o);
}

export async function benchAccessListCheck(
  databaseUrl?: string,
  options: { seconds?: number; rounds?: number } = {},
): Promise<AccessListBenchResult> {
  const seconds = options.seconds ?? 2;
  const rounds = options.rounds ?? 4;
  const embedded = databaseUrl ? undefined : await startEmbeddedDatabase('memory://');
  const url = databaseUrl ?? embedded!.url;
  // The bench is compiled elsewhere (dist-bench/): take the migrations from the checkout.
  const dir = path.resolve('prisma', 'migrations');
  await migrate(url, existsSync(dir) ? { dir } : {});

  const connection: DatabaseConnection = {
    url,
    embedded: !!embedded,
    poolMax: CONCURRENCY,
    stop: async () => undefined,
  };
  const prisma = new PrismaService(connection);
  const bus = new ChangeBus(connection); // not listening: one process, invalidation is local
  const check = new AccessListCheckService(prisma, bus);
  check.onModuleInit();
  const db = new pg.Client({ connectionString: url });
  await db.connect();

  const tag = randomBytes(4).toString('hex');
  const orgcode = `bench-al-${tag}`;
  const ownerOrg = '974760673';
  const small = {
    id: randomUUID(),
    resource: `bench-al-${tag}-10`,
    members: 10,
    firstBase: 20_000_000 + Math.floor(Math.random() * 1_000_000),
  };
  const big = {
    id: randomUUID(),
    resource: `bench-al-${tag}-100k`,
    members: 100_000,
    firstBase: 30_000_000 + Math.floor(Math.random() * 30_000_000),
  };
  let errors = 0;

  try {
    await prisma.$connect();
    const t0 = performance.now();
    await db.query('BEGIN');
    // If an owner already holds this org number (a development database), its code is used.
    await db.query(
      `INSERT INTO owners (orgcode, org_number, name) VALUES ($1, $2, '{}')
       ON CONFLICT (org_number) DO NOTHING`,
      [orgcode, ownerOrg],
    );
    const owner = (
      await db.query<{ orgcode: string }>('SELECT orgcode FROM owners WHERE org_number = $1', [ownerOrg])
    ).rows[0].orgcode;
    for (const list of [small, big]) {
      // One resource per list, so each check only meets its own list.
      await db.query(
        `INSERT INTO resources (identifier, owner_orgcode, owner_org_number, current_version_id, access_list_mode)
         VALUES ($1, $2, $3, $4::uuid, 'Enabled')`,
        [list.resource, owner, ownerOrg, randomUUID()],
      );
      await db.query(
        `INSERT INTO access_lists (id, owner, identifier, name) VALUES ($1::uuid, $2, $3, 'bench')`,
        [list.id, owner, `bench-${tag}-${list.members}`],
      );
      await db.query(
        `INSERT INTO access_list_connections (list_id, resource_identifier, action_filters) VALUES ($1::uuid, $2, ARRAY[$3])`,
        [list.id, list.resource, ACTION],
      );
      await seedMembers(db, list.id, list.firstBase, list.members);
    }
    await db.query('COMMIT');
    await db.query('ANALYZE access_list_members');
    const seedSeconds = (performance.now() - t0) / 1000;

    // Members (answer true) and non-members from an unused base range (answer false).
    const probes = new Map<string, Array<{ org: string; expect: boolean }>>();
    for (const list of [small, big]) {
      const members = await sampleOrgs(
        db,
        'SELECT org_number AS o FROM access_list_members WHERE list_id = $1::uuid ORDER BY md5(org_number) LIMIT $2',
        [list.id, SAMPLE],
      );
      const outsiders = await sampleOrgs(
        db,
        `SELECT o FROM (SELECT ${ORG_FROM_BASE} AS o FROM generate_series($1::int, $1::int + $2::int) AS b) x WHERE o IS NOT NULL`,
        [90_000_000 + Math.floor(Math.random() * 9_000_000), SAMPLE],
      );
      const mixed: Array<{ org: string; expect: boolean }> = [];
      for (let i = 0; i < SAMPLE; i++) {
        mixed.push({ org: members[i % members.length], expect: true });
        mixed.push({ org: outsiders[i % outsiders.length], expect: false });
      }
      probes.set(list.id, mixed);
    }

    const measureUncached = async (list: typeof small, ms: number, latencies: number[]): Promise<number> => {
      const set = probes.get(list.id)!;
      let n = 0;
      let i = 0;
      const deadline = performance.now() + ms;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (performance.now() < deadline) {
            const p = set[i++ % set.length];
            const s = performance.now();
            const allowed = await check.isAllowedUncached(p.org, list.resource, ACTION);
            latencies.push(performance.now() - s);
            if (allowed !== p.expect) errors++;
            else n++;
          }
        }),
      );
      return n;
    };

    // Warm-up (JIT, pool, plan cache) is not measured.
    for (const list of [small, big]) await measureUncached(list, 300, []);
    const totals = new Map<string, { n: number; ms: number; lat: number[] }>([
      [small.id, { n: 0, ms: 0, lat: [] }],
      [big.id, { n: 0, ms: 0, lat: [] }],
    ]);
    const slice = (seconds * 1000) / rounds;
    for (let r = 0; r < rounds; r++) {
      for (const list of r % 2 ? [big, small] : [small, big]) {
        const acc = totals.get(list.id)!;
        const s = performance.now();
        acc.n += await measureUncached(list, slice, acc.lat);
        acc.ms += performance.now() - s;
      }
    }

    const measureCached = async (list: typeof small): Promise<number> => {
      const set = probes.get(list.id)!;
      for (const p of set) if ((await check.isAllowed(p.org, list.resource, ACTION)) !== p.expect) errors++;
      let n = 0;
      const started = performance.now();
      const deadline = started + seconds * 1000;
      while (performance.now() < deadline) {
        for (let k = 0; k < 1000; k++) {
          const p = set[n++ % set.length];
          if ((await check.isAllowed(p.org, list.resource, ACTION)) !== p.expect) errors++;
        }
      }
      return n / ((performance.now() - started) / 1000);
    };

    const rate = async (list: typeof small): Promise<CheckRate> => {
      const acc = totals.get(list.id)!;
      acc.lat.sort((x, y) => x - y);
      return {
        checksPerSec: round(acc.n / (acc.ms / 1000), 0),
        p50Ms: round(percentile(acc.lat, 50), 3),
        p99Ms: round(percentile(acc.lat, 99), 3),
        cachedChecksPerSec: round(await measureCached(list), 0),
        members: list.members,
      };
    };
    const members10 = await rate(small);
    const members100k = await rate(big);

    const q = accessCheckQuery(probes.get(big.id)![0].org, big.resource, ACTION);
    const explain = await db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, COSTS OFF) ${q.text}`,
      q.values,
    );
    const plan = explain.rows.map((r) => r['QUERY PLAN']).join('\n');

    return {
      database: embedded ? 'pglite' : 'postgresql',
      members10,
      members100k,
      ratio: round(members100k.checksPerSec / members10.checksPerSec, 2),
      plan,
      usesIndex:
        /Index (Only )?Scan using \w+ on access_list_members /.test(plan) &&
        !/Seq Scan on access_list_members/.test(plan),
      errors,
      seedSeconds: round(seedSeconds, 1),
    };
  } finally {
    await db.query('ROLLBACK').catch(() => undefined);
    // Members and connections go with their lists (ON DELETE CASCADE).
    await db
      .query('DELETE FROM access_lists WHERE id = ANY($1::uuid[])', [[small.id, big.id]])
      .catch(() => undefined);
    await db
      .query('DELETE FROM resources WHERE identifier = ANY($1::text[])', [[small.resource, big.resource]])
      .catch(() => undefined);
    await db.query('DELETE FROM owners WHERE orgcode = $1', [orgcode]).catch(() => undefined);
    await db.end();
    await prisma.$disconnect();
    await bus.onApplicationShutdown();
    await embedded?.stop();
  }
}
