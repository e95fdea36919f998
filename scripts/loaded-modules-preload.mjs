// Preload of scripts/loaded-modules.mjs (`node --import`): on SIGUSR2, after a full GC, writes
// the CommonJS modules loaded so far (require.cache), heap and RSS to LOADED_MODULES_TO as JSON.
// ES modules are recorded by test/helpers/record-modules-hooks.mjs (registered here), one URL a line.
import { statSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { getHeapSpaceStatistics } from 'node:v8';

const out = process.env.LOADED_MODULES_TO;
if (out) {
  register('../test/helpers/record-modules-hooks.mjs', import.meta.url, { data: { out: `${out}.esm` } });
  const cache = createRequire(import.meta.url).cache;
  process.on('SIGUSR2', () => {
    globalThis.gc?.();
    const m = process.memoryUsage();
    const cjs = Object.keys(cache);
    const bytes = cjs.reduce((n, f) => n + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0);
    if (process.env.LOADED_MODULES_LIST) writeFileSync(process.env.LOADED_MODULES_LIST, cjs.join('\n'));
    const spaces = getHeapSpaceStatistics()
      .filter((x) => x.physical_space_size > 0)
      .map(
        (x) =>
          `${x.space_name}:${Math.round(x.space_used_size / 1e6)}/${Math.round(x.physical_space_size / 1e6)}`,
      )
      .join(' ');
    writeFileSync(
      out,
      JSON.stringify({
        cjs: cjs.length,
        cjsSourceBytes: bytes,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        external: m.external,
        rss: m.rss,
        spaces,
      }),
    );
  });
}
