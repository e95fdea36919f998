import { describe, expect, it } from '@jest/globals';
import { HOURLY_MS, nextAttemptAt, retryDelayMs, RETRY_WINDOW_MS } from './retry-schedule.js';

const middle = () => 0.5;

describe('retryDelayMs', () => {
  it('waits about 5 s, 30 s, 2 min, 10 min, then hourly', () => {
    expect([1, 2, 3, 4, 5, 6, 20].map((n) => retryDelayMs(n, middle))).toEqual([
      5_000,
      30_000,
      120_000,
      600_000,
      HOURLY_MS,
      HOURLY_MS,
      HOURLY_MS,
    ]);
  });

  it('spreads each delay by at most 20 % either way', () => {
    expect(retryDelayMs(1, () => 0)).toBe(4_000);
    expect(retryDelayMs(1, () => 0.999999)).toBe(6_000);
    expect(retryDelayMs(5, () => 0)).toBe(0.8 * HOURLY_MS);
  });
});

describe('nextAttemptAt', () => {
  it('schedules retries for 24 h after the event was queued, then gives up', () => {
    const queued = new Date('2026-01-01T00:00:00Z');
    let now = queued;
    let attempts = 0;
    const times: Date[] = [];
    for (;;) {
      attempts++;
      const next = nextAttemptAt(attempts, queued, now, middle);
      if (!next) break;
      times.push(next);
      now = next;
    }
    expect(times.slice(0, 4).map((d) => d.getTime() - queued.getTime())).toEqual([
      5_000, 35_000, 155_000, 755_000,
    ]);
    const last = times[times.length - 1].getTime() - queued.getTime();
    expect(last).toBeLessThanOrEqual(RETRY_WINDOW_MS);
    expect(last).toBeGreaterThan(RETRY_WINDOW_MS - HOURLY_MS - 1);
    expect(attempts).toBe(28); // 27 attempts get a next time; the 28th failure gives up
  });
});
