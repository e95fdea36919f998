/**
 * Minimal LRU on a Map (insertion order = recency). Bounded by entry count and by a total
 * weight (the verified-token cache weighs entries by token length, so memory stays bounded
 * even if every cached token were the maximum 8 KiB).
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, { value: V; weight: number }>();
  private totalWeight = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxWeight = Number.POSITIVE_INFINITY,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const entry = this.map.get(key);
    if (!entry) return undefined;
    this.map.delete(key);
    this.map.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V, weight = 1): void {
    if (this.maxEntries <= 0 || weight > this.maxWeight) return;
    this.delete(key);
    this.map.set(key, { value, weight });
    this.totalWeight += weight;
    for (const [oldest, entry] of this.map) {
      if (this.map.size <= this.maxEntries && this.totalWeight <= this.maxWeight) break;
      this.map.delete(oldest);
      this.totalWeight -= entry.weight;
    }
  }

  delete(key: K): void {
    const entry = this.map.get(key);
    if (!entry) return;
    this.map.delete(key);
    this.totalWeight -= entry.weight;
  }

  clear(): void {
    this.map.clear();
    this.totalWeight = 0;
  }
}
