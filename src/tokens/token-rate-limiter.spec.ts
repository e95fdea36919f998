import { describe, expect, it } from '@jest/globals';
import { TokenRateLimiter } from './token-rate-limiter.js';

describe('TokenRateLimiter', () => {
  it('allows a burst of N, then refuses with Retry-After of at least one second', () => {
    let now = 1_000_000;
    const limiter = new TokenRateLimiter(3, () => now);
    expect([1, 2, 3].map(() => limiter.take('c').allowed)).toEqual([true, true, true]);
    const refused = limiter.take('c');
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 400; // 1.2 tokens refilled
    expect(limiter.take('c').allowed).toBe(true);
    expect(limiter.take('c').allowed).toBe(false);
  });

  it('keeps a separate allowance per client', () => {
    const limiter = new TokenRateLimiter(1, () => 0);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('gives a Retry-After that covers the wait at low rates', () => {
    let now = 0;
    const limiter = new TokenRateLimiter(1, () => now);
    limiter.take('a');
    now += 100;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('forgets idle clients once many are tracked', () => {
    let now = 0;
    const limiter = new TokenRateLimiter(5, () => now);
    for (let i = 0; i < 10_001; i++) limiter.take(`c${i}`);
    now += 5_000;
    limiter.take('fresh');
    expect(limiter.size).toBeLessThan(10);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenRateLimiter(0)).toThrow(RangeError);
  });
});
