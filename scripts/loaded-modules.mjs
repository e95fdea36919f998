// What an entry loads once it serves (issue 22: the data plane should not load what the gateway
// does not use). Usage, with a database the entry may migrate:
//   DATABASE_URL=postgresql://… node scripts/loaded-modules.mjs dist/main.js dist/gateway-main.js
// Prints, per entry: JS modules loaded (CommonJS + ES, distinct files), their source size, heap
// used after a full GC and RSS, measured once /health/live answers.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function measure(entry) {
  const port = await freePort();
  const out = path.join(tmpdir(), `loaded-modules-${process.pid}-${port}.json`);
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--max-old-space-size=384',
      '--max-semi-space-size=16',
      '--import',
      path.join(ROOT, 'scripts/loaded-modules-preload.mjs'),
      entry,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        LOG_LEVEL: 'warn',
        LOADED_MODULES_TO: out,
      },
    },
  );
  try {
    for (let i = 0; ; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/health/live`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 600) throw new Error(`${entry}: not live after 60 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1000)); // the boot's own timers and first loads
    child.kill('SIGUSR2');
    while (!existsSync(out)) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 100));
    const cjs = JSON.parse(readFileSync(out, 'utf8'));
    const esm = [...new Set(readFileSync(`${out}.esm`, 'utf8').split('\n'))].filter((u) =>
      u.startsWith('file:'),
    );
    const esmBytes = esm.reduce((n, u) => n + statSync(fileURLToPath(u)).size, 0);
    return {
      entry,
      modules: cjs.cjs + esm.length,
      cjs: cjs.cjs,
      esm: esm.length,
      sourceMb: +((cjs.cjsSourceBytes + esmBytes) / 1e6).toFixed(1),
      heapUsedMb: +(cjs.heapUsed / 1e6).toFixed(1),
      heapTotalMb: +(cjs.heapTotal / 1e6).toFixed(1),
      externalMb: +(cjs.external / 1e6).toFixed(1),
      rssMb: +(cjs.rss / 1e6).toFixed(1),
      spaces: cjs.spaces,
    };
  } finally {
    child.kill('SIGTERM');
    rmSync(out, { force: true });
    if (process.env.LOADED_MODULES_LIST) renameSync(`${out}.esm`, `${process.env.LOADED_MODULES_LIST}.esm`);
    rmSync(`${out}.esm`, { force: true });
  }
}

for (const entry of process.argv.slice(2)) console.log(JSON.stringify(await measure(entry)));
