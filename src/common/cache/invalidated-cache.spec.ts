import { describe, expect, it } from '@jest/globals';
import { InvalidatedCache } from './invalidated-cache.js';

describe('InvalidatedCache', () => {
  function cache(
    store: Map<string, number>,
    fresh = () => true,
    o: { ttlMs?: number; keep?: (v: number | null) => boolean } = {},
  ) {
    let loads = 0;
    const c = new InvalidatedCache<string, number | null>({
      name: 't',
      maxEntries: 10,
      ttlMs: o.ttlMs ?? 60_000,
      fresh,
      keep: o.keep,
      // Reads at once, answers a moment later (like a query that already ran).
      load: async (k) => {
        loads++;
        const v = store.get(k) ?? null;
        await Promise.resolve();
        return v;
      },
    });
    return { c, loads: () => loads };
  }

  it('serves from memory until invalidated, and caches "not found" too', async () => {
    const store = new Map([['a', 1]]);
    const { c, loads } = cache(store);
    expect(await c.get('a')).toBe(1);
    expect(c.peek('a')).toBe(1);
    expect(await c.get('b')).toBeNull();
    expect(c.peek('b')).toBeNull();
    store.set('a', 2);
    expect(c.peek('a')).toBe(1);
    c.invalidate('a');
    expect(c.peek('a')).toBeUndefined();
    expect(await c.get('a')).toBe(2);
    expect(loads()).toBe(3);
  });

  it('does not store a value read before an invalidation that happened while it was loading', async () => {
    const store = new Map([['a', 1]]);
    const { c } = cache(store);
    const racing = c.load('a');
    store.set('a', 2);
    c.invalidate('a');
    expect(await racing).toBe(1);
    expect(c.peek('a')).toBeUndefined();
    // A request after the change never joins the load that started before it.
    expect(await c.get('a')).toBe(2);
  });

  it('neither serves nor stores while changes may be missed', async () => {
    let fresh = true;
    const store = new Map([['a', 1]]);
    const { c, loads } = cache(store, () => fresh);
    await c.get('a');
    fresh = false;
    expect(c.peek('a')).toBeUndefined();
    store.set('a', 5);
    expect(await c.get('a')).toBe(5);
    expect(await c.get('a')).toBe(5);
    expect(loads()).toBe(3);
  });

  it('shares one load per key between concurrent misses', async () => {
    const { c, loads } = cache(new Map([['a', 1]]));
    const [x, y] = await Promise.all([c.get('a'), c.get('a')]);
    expect([x, y, loads()]).toEqual([1, 1, 1]);
  });

  it('keeps only what `keep` accepts, and forgets entries past their TTL', async () => {
    const store = new Map([['a', 1]]);
    const picky = cache(store, () => true, { keep: (v) => v !== null });
    await picky.c.get('missing');
    expect(picky.c.peek('missing')).toBeUndefined();
    await picky.c.get('a');
    expect(picky.c.peek('a')).toBe(1);
    const brief = cache(store, () => true, { ttlMs: -1 });
    await brief.c.get('a');
    expect(brief.c.peek('a')).toBeUndefined();
    expect(brief.c.size).toBe(0);
  });

  it('counts hits and misses under its name', async () => {
    const lookups: string[] = [];
    const c = new InvalidatedCache<string, number>({
      name: 'n',
      maxEntries: 10,
      ttlMs: 60_000,
      load: async () => 7,
      onLookup: (name, hit) => lookups.push(`${name}:${hit}`),
    });
    await c.get('k');
    c.peek('k');
    expect(lookups).toEqual(['n:false', 'n:true']);
  });
});
