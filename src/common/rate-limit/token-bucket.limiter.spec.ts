import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { retryAfterHeaderValue, TokenBucketLimiter } from './token-bucket.limiter.js';

describe('TokenBucketLimiter', () => {
  it('lets a burst of the limit through, then refuses with the time until the next token', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ now: () => now });
    const rule = { requests: 2, perSeconds: 10 };
    expect(limiter.take('k', rule)).toBe(0);
    expect(limiter.take('k', rule)).toBe(0);
    expect(limiter.take('k', rule)).toBeCloseTo(5);
    now += 5000;
    expect(limiter.take('k', rule)).toBe(0);
    expect(limiter.take('k', rule)).toBeCloseTo(5);
  });

  it('refills continuously: N per second means one more every 1/N s', () => {
    let now = 1_000_000;
    const limiter = new TokenBucketLimiter({ now: () => now });
    const rule = { requests: 3, perSeconds: 1 };
    expect([1, 2, 3].map(() => limiter.take('c', rule))).toEqual([0, 0, 0]);
    expect(limiter.take('c', rule)).toBeCloseTo(1 / 3);
    now += 400; // 1.2 tokens refilled
    expect(limiter.take('c', rule)).toBe(0);
    expect(limiter.take('c', rule)).toBeGreaterThan(0);
  });

  it('keeps a separate allowance per key', () => {
    const limiter = new TokenBucketLimiter({ now: () => 0 });
    const rule = { requests: 1, perSeconds: 1 };
    expect(limiter.take('a', rule)).toBe(0);
    expect(limiter.take('a', rule)).toBeGreaterThan(0);
    expect(limiter.take('b', rule)).toBe(0);
  });

  it('starts a fresh bucket when the rule of a key changes (an API re-registered with another limit)', () => {
    const limiter = new TokenBucketLimiter({ now: () => 0 });
    expect(limiter.take('k', { requests: 1, perSeconds: 60 })).toBe(0);
    expect(limiter.take('k', { requests: 1, perSeconds: 60 })).toBeGreaterThan(0);
    expect(limiter.take('k', { requests: 5, perSeconds: 60 })).toBe(0);
  });

  it('never refills more than the burst, however long a key was idle', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ now: () => now });
    const rule = { requests: 2, perSeconds: 1 };
    limiter.take('k', rule);
    now += 3_600_000;
    expect([1, 2, 3].map(() => limiter.take('k', rule) === 0)).toEqual([true, true, false]);
  });

  it('does not hand out tokens when the clock steps back', () => {
    let now = 10_000;
    const limiter = new TokenBucketLimiter({ now: () => now });
    const rule = { requests: 1, perSeconds: 10 };
    expect(limiter.take('k', rule)).toBe(0);
    now -= 5_000;
    expect(limiter.take('k', rule)).toBeGreaterThan(0);
  });

  it('holds at most maxKeys buckets, so a crowd of keys cannot grow memory', () => {
    const limiter = new TokenBucketLimiter({ maxKeys: 100, now: () => 0 });
    for (let i = 0; i < 10_000; i++) limiter.take(`c${i}`, { requests: 5, perSeconds: 1 });
    expect(limiter.size).toBeLessThanOrEqual(100);
  });

  it('never lets more than burst + rate × time through (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 200 }),
        (requests, perSeconds, gaps) => {
          let now = 0;
          const limiter = new TokenBucketLimiter({ now: () => now });
          const rule = { requests, perSeconds };
          let passed = 0;
          for (const gap of gaps) {
            now += gap;
            const wait = limiter.take('k', rule);
            expect(wait).toBeGreaterThanOrEqual(0);
            if (wait === 0) passed++;
          }
          expect(passed).toBeLessThanOrEqual(requests + Math.floor((now * requests) / (perSeconds * 1000)));
        },
      ),
    );
  });

  it('a refused request that waits the answered time then passes (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 60 }),
        (requests, perSeconds) => {
          let now = 0;
          const limiter = new TokenBucketLimiter({ now: () => now });
          const rule = { requests, perSeconds };
          for (let i = 0; i < requests; i++) expect(limiter.take('k', rule)).toBe(0);
          const wait = limiter.take('k', rule);
          expect(wait).toBeGreaterThan(0);
          now += Math.ceil(wait * 1000) + 1;
          expect(limiter.take('k', rule)).toBe(0);
        },
      ),
    );
  });
});

describe('retryAfterHeaderValue', () => {
  it('rounds a wait up to whole seconds, at least one', () => {
    expect([0.01, 1, 1.2, 0].map(retryAfterHeaderValue)).toEqual(['1', '1', '2', '1']);
  });
});
