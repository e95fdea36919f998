/**
 * Micro-bench: the service's bounded cache (common/cache/clock-cache.ts, CLOCK eviction over a
 * Map) against `lru-cache` v11 (typed-array linked list over a Map), on the gateway's workloads:
 *
 * - hits: a warm cache of 100 000 entries read in random order (reused tokens, consent state);
 * - mixed: 200 000 keys, 80 % of reads on 20 % of them, a miss sets (access-list answers);
 * - churn: every key new, every set evicts (a new token per request filling the token cache).
 *
 * In process, one core, median of rounds, ns per operation. `node dist-bench/bench/cache.js`
 * runs it alone; `npm run bench` runs it with the rest.
 */
import { performance } from 'node:perf_hooks';
import { LRUCache } from 'lru-cache';
import { ClockCache } from '../src/common/cache/clock-cache.js';

interface Store {
  get(k: string): object | undefined;
  set(k: string, v: object): void;
}

const SIZE = 100_000;
const OPS = 200_000;
const ROUNDS = 3;

function rng(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

const keys = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => `${prefix}${i.toString(36)}:${'x'.repeat(40)}`);

function workload(name: string): { fill: string[]; ops: string[] } {
  const r = rng(42);
  if (name === 'hits') {
    const fill = keys(SIZE, 'h');
    return { fill, ops: Array.from({ length: OPS }, () => fill[Math.floor(r() * SIZE)]) };
  }
  if (name === 'mixed') {
    const all = keys(2 * SIZE, 'm');
    const hot = all.slice(0, all.length / 5);
    return {
      fill: all.slice(0, SIZE),
      ops: Array.from(
        { length: OPS },
        () => (r() < 0.8 ? hot : all)[Math.floor(r() * (r() < 0.8 ? hot.length : all.length))],
      ),
    };
  }
  return { fill: keys(SIZE, 'c'), ops: keys(OPS, 'n') };
}

function run(make: () => Store, fill: string[], ops: string[]): number {
  const c = make();
  const v = { v: 1 };
  for (const k of fill) c.set(k, v);
  const t0 = performance.now();
  for (const k of ops) if (c.get(k) === undefined) c.set(k, v);
  return ((performance.now() - t0) * 1e6) / ops.length;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchCaches(): Promise<Record<string, Record<string, number>>> {
  const makers: Record<string, () => Store> = {
    ClockCache: () => new ClockCache<string, object>(SIZE),
    'lru-cache': () => new LRUCache<string, object>({ max: SIZE }),
  };
  const out: Record<string, Record<string, number>> = {};
  for (const w of ['hits', 'mixed', 'churn']) {
    const { fill, ops } = workload(w);
    const times: Record<string, number[]> = {};
    for (let r = 0; r < ROUNDS; r++)
      for (const [name, make] of Object.entries(makers)) (times[name] ??= []).push(run(make, fill, ops));
    out[w] = Object.fromEntries(Object.entries(times).map(([n, t]) => [n, Number(median(t).toFixed(1))]));
  }
  return out;
}

if (process.argv[1]?.endsWith('cache.js'))
  void benchCaches().then((r) =>
    process.stdout.write(`ns per operation (median of ${ROUNDS}):\n${JSON.stringify(r, null, 2)}\n`),
  );
