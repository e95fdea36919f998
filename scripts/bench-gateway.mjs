// The gateway lines of `npm run bench` alone, for quick iterations (issue 22):
//   node scripts/ensure-build.mjs && npx tsc -p tsconfig.bench.json
//   BENCH_DATABASE_URL=postgresql://… node --expose-gc scripts/bench-gateway.mjs [rounds]
// Prints the rows, the ratios and the targets as JSON (the same figures as `npm run bench`).
import { benchGateway } from '../dist-bench/bench/gateway.js';

const rounds = Number(process.argv[2] ?? 3);
const r = await benchGateway({ rounds });
for (const row of r.rows)
  console.log(
    `${row.name.padEnd(48)} ${String(row.rps).padStart(7)}/s p50 ${row.p50Ms} p99 ${row.p99Ms} ` +
      `cpu ${row.cpuUsPerReq ?? '-'} µs rss ${row.rssMb ?? '-'} MB non2xx ${row.non2xx}`,
  );
console.log(JSON.stringify({ ratios: r.ratios, targets: r.targets, environment: r.environment }, null, 2));
