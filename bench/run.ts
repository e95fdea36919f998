/**
 * `npm run bench` (DESIGN §7): a benchmark, not a timed test. Runs the gateway bench and, when
 * present, the consents and access-list benches; prints one table per bench plus the ratios
 * against the targets, and writes everything to bench/results/latest.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { benchGateway, type BenchRow } from './gateway.js';
import { HERE } from './lib/proc.js';

const ROOT = path.resolve(HERE, '../../..');

function table(rows: BenchRow[]): string {
  const head = ['line', 'req/s', 'p50 ms', 'p99 ms', 'RSS MB', 'CPU µs/req'];
  const body = rows.map((r) => [
    r.name,
    String(r.rps),
    r.p50Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    r.rssMb === null ? '-' : String(r.rssMb),
    r.cpuUsPerReq === null || !Number.isFinite(r.cpuUsPerReq) ? '-' : String(r.cpuUsPerReq),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** Other contexts' benches, if their files exist (they are optional to this runner). */
async function optional(file: string): Promise<Record<string, unknown> | null> {
  const url = new URL(`./${file}`, import.meta.url);
  if (!existsSync(url)) return null;
  return (await import(url.href)) as Record<string, unknown>;
}

async function main(): Promise<void> {
  const started = new Date();
  const results: Record<string, unknown> = {
    startedAt: started.toISOString(),
    node: process.version,
    cpus: cpus().length,
  };

  const gateway = await benchGateway();
  results.gateway = gateway;
  process.stdout.write(
    `\nGateway (${gateway.environment.database}; server core 0, client+upstream core 1${gateway.environment.pinned ? '' : ' — taskset missing, NOT pinned'})\n`,
  );
  process.stdout.write(`${table(gateway.rows)}\n\n`);
  const env = gateway.environment;
  process.stdout.write(
    `${env.rounds} interleaved rounds of ${env.roundMs} ms per line (medians), ${env.connections} connections; ` +
      `load average at the end ${env.loadAverage.join(' / ')} on ${cpus().length} CPUs\n`,
  );
  process.stdout.write(
    `by server CPU per request: reused token ${gateway.ratios.reusedTokenVsBareProxyByCpu}× bare proxy, ` +
      `new token ${gateway.ratios.newTokenVsJoseBaselineByCpu}× jose baseline\n\n`,
  );
  for (const t of gateway.targets)
    process.stdout.write(`${t.met ? 'ok  ' : 'MISS'}  ${t.name}: ${t.value} (target ${t.target})\n`);

  const consents = await optional('consents.js');
  if (consents) {
    for (const fn of ['benchConsentCreate', 'benchEventsFeed']) {
      if (typeof consents[fn] !== 'function') continue;
      process.stdout.write(`\n${fn} …\n`);
      const r = await (consents[fn] as () => Promise<unknown>)();
      results[fn] = r;
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    }
  }
  const acl = await optional('access-list-check.js');
  if (acl && typeof acl.benchAccessListCheck === 'function') {
    process.stdout.write('\nbenchAccessListCheck …\n');
    const r = await (acl.benchAccessListCheck as (url?: string) => Promise<unknown>)(
      process.env.DATABASE_URL,
    );
    results.benchAccessListCheck = r;
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  }

  results.finishedAt = new Date().toISOString();
  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\nwritten: bench/results/latest.json\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
