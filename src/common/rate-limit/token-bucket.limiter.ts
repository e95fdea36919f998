/**
 * The one rate limiter of the service: a token bucket per key (the gateway's per API and
 * consumer or consent, the token endpoint's per client). A bucket holds `requests` tokens and
 * refills at `requests / perSeconds` per second, so bursts up to the limit pass and the long-run
 * rate is the configured one. The rules (which keys, which limits, what a refusal answers) stay
 * with each context.
 *
 * In memory, per replica: a limit that needed a database round trip per request would cost
 * more than what it protects. With R replicas a key gets at most R times its limit (documented
 * in docs/operations.md): a guard against runaway clients, not an exact quota.
 *
 * Buckets live in the bounded ClockCache, so memory stays bounded however many keys show up;
 * a bucket pushed out was idle, and a fresh one starts full, which is what refilling would have
 * given it anyway. The hot path is a cache lookup and a few float operations (the gateway calls
 * it once or twice per proxied request).
 */
import { ClockCache } from '../cache/clock-cache.js';

export interface RateRule {
  /** Burst size, and the number of requests per `perSeconds`. */
  requests: number;
  perSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
  /** The rule the bucket was built for; a changed rule starts a fresh bucket. */
  rule: RateRule;
}

export interface TokenBucketLimiterOptions {
  /** Buckets kept at most; the least recently used ones are dropped first. */
  maxKeys?: number;
  /** Milliseconds since the epoch (tests move time). */
  now?: () => number;
}

const DEFAULT_MAX_KEYS = 200_000;

export class TokenBucketLimiter {
  private readonly buckets: ClockCache<string, Bucket>;
  private readonly now: () => number;

  constructor(options: TokenBucketLimiterOptions = {}) {
    this.buckets = new ClockCache(options.maxKeys ?? DEFAULT_MAX_KEYS);
    this.now = options.now ?? Date.now;
  }

  /** 0 when the request may pass (and a token is taken), else the seconds until one is available. */
  take(key: string, rule: RateRule): number {
    const now = this.now();
    const ratePerMs = rule.requests / (rule.perSeconds * 1000);
    let b = this.buckets.get(key);
    if (!b || b.rule.requests !== rule.requests || b.rule.perSeconds !== rule.perSeconds) {
      b = { tokens: rule.requests, updatedMs: now, rule };
      this.buckets.set(key, b);
    } else {
      // A clock that steps back refills nothing (and takes nothing away).
      b.tokens = Math.min(rule.requests, b.tokens + Math.max(0, now - b.updatedMs) * ratePerMs);
      b.updatedMs = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return (1 - b.tokens) / ratePerMs / 1000;
  }

  /** Keys tracked now (bounded by `maxKeys`). */
  get size(): number {
    return this.buckets.size;
  }

  clear(): void {
    this.buckets.clear();
  }
}

/** The `Retry-After` header value for a wait from `take`: whole seconds, at least one. */
export function retryAfterHeaderValue(waitSeconds: number): string {
  return String(Math.max(1, Math.ceil(waitSeconds)));
}
