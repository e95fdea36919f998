// Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. the gateway under
// BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof-gw" npm run bench) without a GUI:
// the top functions by self time, and self and inclusive time per module (package or src file).
//
//   node scripts/cpuprofile-summary.mjs <file.cpuprofile> [--top 30] [--from-ms N] [--to-ms N]
//
// --from-ms and --to-ms keep the samples between those times (ms since the profile started):
// start-up and set-up left out, or one bench line's window alone.
// Inclusive time per module counts a sample once per module on its stack, so the figures of
// nested modules overlap (node:http contains undici's callbacks and so on).
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i === -1 ? dflt : Number(args[i + 1]);
};
if (!file) {
  process.stderr.write(
    'usage: node scripts/cpuprofile-summary.mjs <file.cpuprofile> [--top N] [--from-ms N] [--to-ms N]\n',
  );
  process.exit(2);
}
const top = opt('--top', 30);
const fromMs = opt('--from-ms', 0);
const toMs = opt('--to-ms', Infinity);
const profile = JSON.parse(readFileSync(file, 'utf8'));

const byId = new Map();
for (const n of profile.nodes) byId.set(n.id, n);
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** A short module name: the npm package, `node:<builtin>`, the file under src/, or (v8). */
function moduleOf(url) {
  if (!url) return '(v8/native)';
  if (url.startsWith('node:')) return url;
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = url.indexOf('/dist/');
  if (dist !== -1) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}
const label = (n) => {
  const f = n.callFrame;
  return `${f.functionName || '(anonymous)'} ${moduleOf(f.url)}:${f.lineNumber + 1}`;
};

// Samples with their times; idle and GC stay as their own rows.
const self = new Map();
const modSelf = new Map();
const modIncl = new Map();
let total = 0;
let t = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  t += dt;
  const at = (t - profile.startTime) / 1000;
  if (at < fromMs || at > toMs) continue;
  const node = byId.get(profile.samples[i]);
  const name = node.callFrame.functionName;
  if (name === '(idle)') continue;
  total += dt;
  const k = label(node);
  self.set(k, (self.get(k) ?? 0) + dt);
  const m = name === '(garbage collector)' ? '(gc)' : moduleOf(node.callFrame.url);
  modSelf.set(m, (modSelf.get(m) ?? 0) + dt);
  const seen = new Set();
  for (let id = node.id; id !== undefined; id = parent.get(id)) {
    const n = byId.get(id);
    const mm = moduleOf(n.callFrame.url);
    if (n.callFrame.functionName === '(root)' || seen.has(mm)) continue;
    seen.add(mm);
    modIncl.set(mm, (modIncl.get(mm) ?? 0) + dt);
  }
}

const pct = (v) => `${((100 * v) / total).toFixed(1).padStart(5)} %`;
const print = (title, map, n) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n))
    process.stdout.write(`${pct(v)}  ${k}\n`);
};
process.stdout.write(`${file}: ${(total / 1000).toFixed(0)} ms busy (idle excluded)\n`);
print(`top ${top} functions by self time`, self, top);
print('modules by self time', modSelf, 25);
print('modules by inclusive time (a sample counts once per module on its stack)', modIncl, 25);
