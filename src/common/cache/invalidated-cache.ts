/**
 * The one cache of values that change (consent state, resources, access-list answers,
 * templates): bounded (ClockCache), read through with one load per key in flight, kept fresh by
 * change notifications (ChangeBus: in-process emitter + PostgreSQL NOTIFY), with a TTL as a
 * backstop. A context keeps only its keys, its loader and which changes invalidate what.
 *
 * Freshness rules, because revocation must take effect on the next request (DESIGN §4.9):
 * - `invalidate`/`clear` also forget loads in flight, so a request that arrives after a change
 *   never joins a read that started before it;
 * - a load only stores its result if no invalidation happened while it ran (generation check),
 *   so a slow read cannot put a stale value back after the change was announced;
 * - while `fresh()` is false (the NOTIFY listener is down, so changes from other replicas may be
 *   missed) nothing is served from or stored in the cache: every lookup reads the database.
 */
import { ClockCache } from './clock-cache.js';

export interface InvalidatedCacheOptions<K, V> {
  /** Label of the cache hit/miss metric. */
  name: string;
  maxEntries: number;
  ttlMs: number;
  load: (key: K) => Promise<V>;
  /** False while invalidations may be missed: bypass the cache. Default: always fresh. */
  fresh?: () => boolean;
  /** Whether a loaded value is kept (default: every value, `null` included). */
  keep?: (value: V) => boolean;
  onLookup?: (cache: string, hit: boolean) => void;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

const ALWAYS = (): boolean => true;

export class InvalidatedCache<K, V> {
  private readonly entries: ClockCache<K, Entry<V>>;
  private readonly inflight = new Map<K, Promise<V>>();
  private readonly fresh: () => boolean;
  private generation = 0;

  constructor(private readonly options: InvalidatedCacheOptions<K, V>) {
    this.entries = new ClockCache(options.maxEntries);
    this.fresh = options.fresh ?? ALWAYS;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached value, or undefined on a miss (then call `load`). Synchronous for the hot path. */
  peek(key: K): V | undefined {
    if (!this.fresh()) {
      this.options.onLookup?.(this.options.name, false);
      return undefined;
    }
    const e = this.entries.get(key);
    if (e !== undefined && e.expiresAt > Date.now()) {
      this.options.onLookup?.(this.options.name, true);
      return e.value;
    }
    if (e !== undefined) this.entries.delete(key);
    this.options.onLookup?.(this.options.name, false);
    return undefined;
  }

  /** Reads through (single-flight per key while the cache is trusted). */
  load(key: K): Promise<V> {
    if (!this.fresh()) return this.options.load(key);
    const running = this.inflight.get(key);
    if (running) return running;
    const gen = this.generation;
    const p = this.options.load(key).then(
      (value) => {
        if (this.inflight.get(key) === p) this.inflight.delete(key);
        if (gen === this.generation && this.fresh() && (this.options.keep?.(value) ?? true))
          this.entries.set(key, { value, expiresAt: Date.now() + this.options.ttlMs });
        return value;
      },
      (err: unknown) => {
        if (this.inflight.get(key) === p) this.inflight.delete(key);
        throw err;
      },
    );
    this.inflight.set(key, p);
    return p;
  }

  /** `peek`, then `load` on a miss. */
  async get(key: K): Promise<V> {
    const v = this.peek(key);
    return v !== undefined ? v : this.load(key);
  }

  invalidate(key: K): void {
    this.generation++;
    this.entries.delete(key);
    this.inflight.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.inflight.clear();
  }
}
