/**
 * Token buckets per (API, consumer) and per (API, consent), in memory on each replica.
 * A bucket holds `requests` tokens and refills at `requests / perSeconds` per second, so short
 * bursts up to the limit pass and the long-run rate is the configured one. With N replicas
 * behind a load balancer the combined limit is up to N times the configured one (documented).
 */
import { ClockCache } from '../common/cache/clock-cache.js';

export interface RateRule {
  requests: number;
  perSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
  /** Rule the bucket was built for; a changed rule starts a fresh bucket. */
  rule: RateRule;
}

/** Enough buckets for every active consumer/consent; least recently used ones are dropped. */
const MAX_BUCKETS = 200_000;

export class RateLimiter {
  private readonly buckets = new ClockCache<string, Bucket>(MAX_BUCKETS);

  constructor(private readonly now: () => number = Date.now) {}

  /** 0 when the request may pass (and a token is taken), else seconds until one is available. */
  take(key: string, rule: RateRule): number {
    const now = this.now();
    const ratePerMs = rule.requests / (rule.perSeconds * 1000);
    let b = this.buckets.get(key);
    if (!b || b.rule.requests !== rule.requests || b.rule.perSeconds !== rule.perSeconds) {
      b = { tokens: rule.requests, updatedMs: now, rule };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(rule.requests, b.tokens + (now - b.updatedMs) * ratePerMs);
      b.updatedMs = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return (1 - b.tokens) / ratePerMs / 1000;
  }

  clear(): void {
    this.buckets.clear();
  }
}
