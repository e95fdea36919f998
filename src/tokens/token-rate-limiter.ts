/**
 * Token-bucket rate limit per key (a client id): `ratePerSecond` tokens refill every second and
 * up to `ratePerSecond` may be spent at once, so a client gets a steady N/s with bursts of N.
 *
 * Kept in memory, per replica: a limit that needs a database round trip per token request would
 * cost more than the signing it protects. With R replicas a client gets at most R × N/s, which
 * is what the limit is for (stopping a client that asks for a token per API call instead of
 * caching it), not an exact quota.
 */
export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until one request will be allowed again (≥ 1 when refused). */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  /** Milliseconds since the epoch of the last refill. */
  at: number;
}

/** Past this many tracked clients, idle (full) buckets are dropped; they carry no state. */
const SWEEP_THRESHOLD = 10_000;

export class TokenRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive');
  }

  take(key: string): RateDecision {
    const now = this.now();
    const capacity = this.ratePerSecond;
    const bucket = this.buckets.get(key) ?? { tokens: capacity, at: now };
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(capacity, bucket.tokens + elapsed * this.ratePerSecond);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.store(key, bucket);
      return { allowed: true, retryAfterSeconds: 0 };
    }
    this.store(key, bucket);
    const waitSeconds = (1 - bucket.tokens) / this.ratePerSecond;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitSeconds)) };
  }

  /** Number of tracked keys (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private store(key: string, bucket: Bucket): void {
    this.buckets.set(key, bucket);
    if (this.buckets.size > SWEEP_THRESHOLD) this.sweep();
  }

  /** At most once a second, so a crowd of busy clients does not make every request O(n). */
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    for (const [key, b] of this.buckets) {
      const refilled = b.tokens + (Math.max(0, now - b.at) / 1000) * this.ratePerSecond;
      if (refilled >= this.ratePerSecond) this.buckets.delete(key);
    }
  }
}
