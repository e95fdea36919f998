/**
 * The one bounded in-memory cache of the service (verified tokens, access-list answers, resource
 * versions, gateway state): a Map with second-chance ("CLOCK") eviction. A hit only sets a flag.
 *
 * Why not a Map-based LRU that deletes and re-inserts on every hit: on a long-lived (old
 * generation) Map that churn makes V8 rehash the backing store every few operations, and the
 * new stores are allocated straight in old space. Measured on the gateway's hot path that was
 * megabytes of old-space garbage per second and frequent full GCs under load. Here a hit does
 * not touch the Map, and eviction only clears flags as the clock hand passes.
 *
 * Why not `lru-cache` (v11, typed-array list, no Map churn either): bench/cache.ts, ns per
 * operation, 100 000 entries, in process, on the shared 2-core bench machine (load ~20, so
 * the absolute figures are inflated; the ratios held across runs):
 *
 *   workload                          ClockCache   lru-cache
 *   hits (warm, random reads)                620         1 550
 *   mixed (80/20 reads, miss → set)          670         1 690
 *   churn (every key new, evicts)          5 170         4 500   (before the persistent hand: 268 000)
 *
 * Bounded by entry count and optionally by a total weight (the token cache weighs entries by
 * token length, so memory stays bounded even if every cached token had the maximum size).
 */
interface Slot<V> {
  value: V;
  weight: number;
  hot: boolean;
}

export class ClockCache<K, V> {
  private readonly map = new Map<K, Slot<V>>();
  private totalWeight = 0;
  /** The clock hand: where the next eviction continues (null: start from the oldest entry). */
  private hand: MapIterator<K> | null = null;

  constructor(
    private readonly maxEntries: number,
    private readonly maxWeight = Number.POSITIVE_INFINITY,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** Sum of the weights of the entries held. */
  get weight(): number {
    return this.totalWeight;
  }

  get(key: K): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    slot.hot = true;
    return slot.value;
  }

  set(key: K, value: V, weight = 1): void {
    if (this.maxEntries <= 0 || weight > this.maxWeight) {
      this.delete(key);
      return;
    }
    const slot = this.map.get(key);
    if (slot) {
      slot.value = value;
      slot.hot = true;
      this.totalWeight += weight - slot.weight;
      slot.weight = weight;
    } else {
      this.map.set(key, { value, weight, hot: false });
      this.totalWeight += weight;
    }
    while (this.map.size > this.maxEntries || this.totalWeight > this.maxWeight) this.evictOne(key);
  }

  delete(key: K): void {
    const slot = this.map.get(key);
    if (slot === undefined) return;
    this.map.delete(key);
    this.totalWeight -= slot.weight;
  }

  clear(): void {
    this.map.clear();
    this.totalWeight = 0;
    this.hand = null;
  }

  /**
   * Advances the clock hand to the first entry not used since the hand last passed it (used
   * ones lose their flag: a second chance) and evicts it. `keep` (the entry being inserted) is
   * never the victim while there is another one.
   *
   * The hand is one Map iterator kept across evictions, so every deleted slot is walked over
   * once. Starting a fresh iteration for each eviction (as this did before) walks over all the
   * deleted slots V8 keeps until its next rehash: measured at 0.27 ms per insert into a full
   * cache of 100 000 entries under churn (bench/cache.ts), i.e. quadratic.
   */
  private evictOne(keep: K): void {
    // Two full passes at most: the first may only clear flags.
    for (let visited = 0, limit = 2 * this.map.size + 2; visited < limit; visited++) {
      let step = this.hand?.next();
      if (step === undefined || step.done === true) {
        this.hand = this.map.keys();
        step = this.hand.next();
        if (step.done === true) return;
      }
      const key = step.value;
      if (key === keep && this.map.size > 1) continue;
      const slot = this.map.get(key)!;
      if (slot.hot && key !== keep) {
        slot.hot = false;
        continue;
      }
      this.map.delete(key);
      this.totalWeight -= slot.weight;
      return;
    }
  }
}
