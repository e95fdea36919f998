import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { WakeTimer } from './wake-timer.js';

describe('WakeTimer (a background job woken when its work is due, not polled)', () => {
  let fired: number;
  let timer: WakeTimer;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    fired = 0;
    timer = new WakeTimer(() => fired++, 30_000);
  });

  afterEach(() => {
    timer.stop();
    jest.useRealTimers();
  });

  it('fires at the time asked for, once', () => {
    timer.wakeAt(Date.now() + 5_000);
    jest.advanceTimersByTime(4_999);
    expect(fired).toBe(0);
    jest.advanceTimersByTime(1);
    expect(fired).toBe(1);
    jest.advanceTimersByTime(60_000);
    expect(fired).toBe(1);
  });

  it('never sleeps longer than the safety interval, also when nothing is due', () => {
    timer.wakeAt(null);
    expect(timer.nextAt).toBe(Date.now() + 30_000);
    timer.wakeAt(Date.now() + 86_400_000);
    jest.advanceTimersByTime(30_000);
    expect(fired).toBe(1);
  });

  it('keeps the earliest of several requests (a burst of changes costs one wake-up)', () => {
    timer.wakeAt(Date.now() + 10_000);
    for (let i = 0; i < 100; i++) timer.wakeWithin(1_000);
    timer.wakeAt(Date.now() + 20_000);
    expect(timer.nextAt).toBe(Date.now() + 1_000);
    jest.advanceTimersByTime(30_000);
    expect(fired).toBe(1);
  });

  it('fires at once for a time already past', () => {
    timer.wakeAt(Date.now() - 5_000);
    jest.advanceTimersByTime(0);
    expect(fired).toBe(1);
  });

  it('never fires after stop, and ignores requests after it', () => {
    timer.wakeWithin(100);
    timer.stop();
    timer.wakeWithin(100);
    jest.advanceTimersByTime(60_000);
    expect(fired).toBe(0);
    expect(timer.nextAt).toBeNull();
  });
});
