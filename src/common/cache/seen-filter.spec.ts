import { describe, expect, it } from '@jest/globals';
import { SeenFilter } from './seen-filter.js';

describe('SeenFilter', () => {
  it('answers true on the second sighting of a tag, once, then starts over', () => {
    const f = new SeenFilter(16);
    expect(f.seenBefore(42)).toBe(false);
    expect(f.seenBefore(42)).toBe(true);
    expect(f.seenBefore(42)).toBe(false); // the record was consumed
    expect(f.seenBefore(42)).toBe(true);
  });

  it('forgets a tag when a newer one takes its slot, and never mistakes one tag for another', () => {
    const f = new SeenFilter(16);
    expect(f.seenBefore(3)).toBe(false);
    expect(f.seenBefore(3 + 16)).toBe(false); // same slot: 3 is pushed out
    expect(f.seenBefore(3)).toBe(false);
    expect(f.seenBefore(4)).toBe(false); // another slot: 3 stays
    expect(f.seenBefore(3)).toBe(true);
  });

  it('handles tag 0 and 53-bit tags exactly', () => {
    const f = new SeenFilter(1000); // rounded up to 1024
    const big = Number.MAX_SAFE_INTEGER - 1;
    expect(f.seenBefore(0)).toBe(false);
    expect(f.seenBefore(big)).toBe(false);
    expect(f.seenBefore(big - 1024)).toBe(false); // big + 1 - 1024 lands in the same slot as big + 1
    expect(f.seenBefore(0)).toBe(true);
    expect(f.seenBefore(big)).toBe(false);
  });

  it('remembers a tag among fewer distinct tags than it has slots, in most cases', () => {
    const f = new SeenFilter(4096);
    const tags = Array.from({ length: 1000 }, (_, i) => i * 7919 + 1_000_003);
    for (const t of tags) f.seenBefore(t);
    const remembered = tags.filter((t) => f.seenBefore(t)).length;
    expect(remembered).toBeGreaterThan(700);
  });

  it('clear() forgets everything', () => {
    const f = new SeenFilter(8);
    f.seenBefore(5);
    f.clear();
    expect(f.seenBefore(5)).toBe(false);
  });
});
