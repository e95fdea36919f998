import { describe, expect, it } from '@jest/globals';
import { DailyCallCounter, secondsToUtcMidnight, utcDay } from './daily-call-counter.js';
import { dayKey, type DailyCallsRepository, type DayDelta } from './daily-calls.repository.js';

/** The shared table in memory; `others` adds calls as another replica would. */
class FakeStore {
  readonly rows = new Map<string, number>();
  readonly batches: DayDelta[][] = [];
  reads = 0;
  down = false;

  others(consent: string, day: number, n: number): void {
    const k = dayKey(consent, day);
    this.rows.set(k, (this.rows.get(k) ?? 0) + n);
  }

  async total(consent: string, day: number): Promise<number> {
    if (this.down) throw new Error('down');
    this.reads++;
    return this.rows.get(dayKey(consent, day)) ?? 0;
  }

  async addAndRead(rows: DayDelta[]): Promise<Map<string, number>> {
    if (this.down) throw new Error('down');
    this.batches.push(rows.map((r) => ({ ...r })));
    const out = new Map<string, number>();
    for (const r of rows) {
      const k = dayKey(r.consent, r.day);
      if (r.delta > 0) this.rows.set(k, (this.rows.get(k) ?? 0) + r.delta);
      if (this.rows.has(k)) out.set(k, this.rows.get(k)!);
    }
    return out;
  }

  async pruneBefore(): Promise<void> {}
}

const T0 = Date.parse('2026-12-07T12:00:00Z');
const DAY = utcDay(T0);

function counter() {
  const store = new FakeStore();
  const c = new DailyCallCounter(store as unknown as DailyCallsRepository);
  const strip = (b: DayDelta[]) => b.map(({ consent, day, delta }) => ({ consent, day, delta }));
  return { c, store, strip };
}

describe('DailyCallCounter', () => {
  it('reads a consent once, then counts in memory up to the limit', async () => {
    const { c, store } = counter();
    expect(c.take('k', 2, T0)).toBe('unknown');
    await c.load('k', T0);
    expect(c.take('k', 2, T0)).toBe('taken');
    expect(c.take('k', 2, T0)).toBe('taken');
    expect(c.take('k', 2, T0)).toBe('full');
    expect(store.reads).toBe(1);
  });

  it('writes its calls in one batch per sync and learns the other replicas totals', async () => {
    const { c, store, strip } = counter();
    store.others('k', DAY, 3);
    await c.load('k', T0);
    expect(c.take('k', 5, T0)).toBe('taken');
    store.others('k', DAY, 1); // another replica, after our read
    expect(c.take('k', 5, T0)).toBe('taken'); // it cannot know yet: the overshoot the docs bound
    await c.sync(T0);
    expect(strip(store.batches[0])).toEqual([{ consent: 'k', day: DAY, delta: 2 }]);
    expect(store.rows.get(dayKey('k', DAY))).toBe(6);
    expect(c.take('k', 5, T0)).toBe('full');
  });

  it('reads the totals of consents it uses without new calls of its own', async () => {
    const { c, store, strip } = counter();
    await c.load('k', T0);
    store.others('k', DAY, 4);
    await c.sync(T0);
    expect(strip(store.batches[0])).toEqual([{ consent: 'k', day: DAY, delta: 0 }]);
    expect(c.take('k', 4, T0)).toBe('full');
  });

  it('keeps counting what it knows while the store is down, and writes it later', async () => {
    const { c, store } = counter();
    await c.load('k', T0);
    expect(c.take('k', 2, T0)).toBe('taken');
    store.down = true;
    await c.sync(T0);
    expect(c.take('k', 2, T0)).toBe('taken');
    expect(c.take('k', 2, T0)).toBe('full');
    await expect(c.load('other', T0)).rejects.toThrow('down');
    store.down = false;
    await c.sync(T0);
    expect(store.rows.get(dayKey('k', DAY))).toBe(2);
  });

  it('starts a new count at UTC midnight and forgets idle consents', async () => {
    const { c, store } = counter();
    await c.load('k', T0);
    c.take('k', 1, T0);
    expect(c.take('k', 1, T0)).toBe('full');
    const tomorrow = T0 + 86_400_000;
    expect(c.take('k', 1, tomorrow)).toBe('unknown');
    await c.sync(tomorrow); // writes yesterday's call, then forgets the day
    expect(store.rows.get(dayKey('k', DAY))).toBe(1);
    expect(c.size).toBe(0);
    await c.load('k', tomorrow);
    expect(c.take('k', 1, tomorrow)).toBe('taken');
    await c.sync(tomorrow);
    await c.sync(tomorrow + 120_000);
    expect(c.size).toBe(0);
  });

  it('makes no statement when no consent is tracked', async () => {
    const { c, store } = counter();
    await c.sync(T0);
    expect(store.batches).toEqual([]);
  });

  it('answers Retry-After in whole seconds to the next UTC midnight', () => {
    expect(secondsToUtcMidnight(Date.parse('2026-12-07T23:59:58.500Z'))).toBe(2);
    expect(secondsToUtcMidnight(Date.parse('2026-12-07T00:00:00.000Z'))).toBe(86_400);
    expect(secondsToUtcMidnight(Date.parse('2026-12-07T23:59:59.999Z'))).toBe(1);
  });
});
