import { describe, expect, it } from '@jest/globals';
import { ClockCache } from './clock-cache.js';

describe('ClockCache', () => {
  it('evicts the oldest entry that was not used since, giving used ones a second chance', () => {
    const c = new ClockCache<string, number>(3);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3);
    expect(c.get('a')).toBe(1);
    c.set('d', 4); // 'a' was used: 'b' goes
    expect([c.get('a'), c.get('b'), c.get('c'), c.get('d')]).toEqual([1, undefined, 3, 4]);
    expect(c.size).toBe(3);
    c.set('e', 5); // all used: one full pass, then the oldest goes
    expect(c.size).toBe(3);
    expect(c.get('e')).toBe(5);
  });

  it('bounds the total weight, evicting cold entries first and never the one being inserted', () => {
    const c = new ClockCache<string, string>(100, 10);
    c.set('a', 'A', 4);
    c.set('b', 'B', 4);
    expect(c.weight).toBe(8);
    c.get('a');
    c.set('c', 'C', 4); // 12 > 10: 'b' (cold) goes, 'a' (used) stays
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual(['A', undefined, 'C']);
    expect(c.weight).toBe(8);
    c.set('big', 'X', 10); // needs everything else gone
    expect(c.get('big')).toBe('X');
    expect(c.size).toBe(1);
    expect(c.weight).toBe(10);
  });

  it('refuses an entry heavier than the whole budget and drops a stale value under that key', () => {
    const c = new ClockCache<string, string>(10, 5);
    c.set('k', 'small', 2);
    c.set('k', 'huge', 6);
    expect(c.get('k')).toBeUndefined();
    expect(c.weight).toBe(0);
  });

  it('re-weighs an entry that is set again, and keeps the weight right across delete and clear', () => {
    const c = new ClockCache<string, string>(10, 100);
    c.set('k', 'v1', 30);
    c.set('k', 'v2', 50);
    expect(c.get('k')).toBe('v2');
    expect(c.weight).toBe(50);
    c.set('j', 'w', 20);
    c.delete('k');
    c.delete('missing');
    expect(c.weight).toBe(20);
    c.clear();
    expect([c.size, c.weight]).toEqual([0, 0]);
  });

  it('holds nothing when sized zero', () => {
    const c = new ClockCache<string, number>(0);
    c.set('a', 1);
    expect([c.get('a'), c.size]).toEqual([undefined, 0]);
  });

  it('stays bounded under a long random workload', () => {
    const c = new ClockCache<number, number>(50, 400);
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20_000; i++) {
      const k = Math.floor(rnd() * 200);
      if (rnd() < 0.5) c.get(k);
      else c.set(k, i, 1 + Math.floor(rnd() * 20));
      expect(c.size).toBeLessThanOrEqual(50);
      expect(c.weight).toBeLessThanOrEqual(400);
    }
  });
});
