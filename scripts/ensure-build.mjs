// Builds dist/ when it is missing or older than any source file, so `npm start`,
// `npm run token` and friends work straight after `npm ci` without a separate build step.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const marker = 'dist/main.js';
const stale =
  !existsSync(marker) ||
  newest('src') > statSync(marker).mtimeMs ||
  statSync('prisma/schema.prisma').mtimeMs > statSync(marker).mtimeMs;
if (stale) {
  process.stderr.write('building consent-gateway (first run or sources changed)...\n');
  execSync('npm run build', { stdio: ['ignore', 2, 2] });
}
