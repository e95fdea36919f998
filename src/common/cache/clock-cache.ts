/**
 * The one bounded in-memory cache of the service (verified tokens, access-list answers, resource
 * versions, gateway state): a Map with second-chance ("CLOCK") eviction. A hit only sets a flag.
 *
 * Why not a Map-based LRU that deletes and re-inserts on every hit: on a long-lived (old
 * generation) Map that churn makes V8 rehash the backing store every few operations, and the
 * new stores are allocated straight in old space. Measured on the gateway's hot path that was
 * megabytes of old-space garbage per second and frequent full GCs under load. Here a hit does
 * not touch the Map; only eviction (when full) moves recently used entries to the back once.
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
  }

  /**
   * Oldest entry not used since it was last passed over; used ones get a second chance. `keep`
   * (the entry being inserted) is never the victim while there is another one.
   */
  private evictOne(keep: K): void {
    for (const [key, slot] of this.map) {
      if (key === keep && this.map.size > 1) continue;
      this.map.delete(key);
      if (slot.hot && key !== keep) {
        slot.hot = false;
        this.map.set(key, slot); // visited again after one full pass, then cold
        continue;
      }
      this.totalWeight -= slot.weight;
      return;
    }
  }
}
