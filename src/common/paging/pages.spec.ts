import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { cutPage, pageLink } from './pages.js';

describe('cutPage', () => {
  it('keeps the first size rows and names the last one only when an extra row was read', () => {
    expect(cutPage([1, 2, 3], 2)).toEqual({ items: [1, 2], lastIfMore: 2 });
    expect(cutPage([1, 2], 2)).toEqual({ items: [1, 2], lastIfMore: null });
    expect(cutPage([], 2)).toEqual({ items: [], lastIfMore: null });
  });

  it('walks a list page by page without gaps or repeats (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer()), fc.integer({ min: 1, max: 10 }), (values, size) => {
        const sorted = [...values].sort((a, b) => a - b);
        const seen: number[] = [];
        let after: number | null = null;
        for (;;) {
          const from: number | null = after;
          const rows = sorted.filter((v) => from === null || v > from).slice(0, size + 1);
          const { items, lastIfMore }: { items: number[]; lastIfMore: number | null } = cutPage(rows, size);
          seen.push(...items);
          if (lastIfMore === null) break;
          after = lastIfMore;
        }
        expect(seen).toEqual(sorted);
      }),
    );
  });
});

describe('pageLink', () => {
  it('carries the defined parameters in order, encoded, and leaves out the undefined ones', () => {
    expect(
      pageLink('/admin/v1/audit', { action: 'a b&c', from: undefined, continuationToken: 'AbC_-1' }),
    ).toBe('/admin/v1/audit?action=a+b%26c&continuationToken=AbC_-1');
    expect(pageLink('https://gw.example/x', { continuationToken: 't' })).toBe(
      'https://gw.example/x?continuationToken=t',
    );
  });
});
