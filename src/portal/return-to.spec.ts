import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { safeReturnTo } from './portal-urls.js';

/** Where a browser goes when it follows `Location: <path>` from a portal page (WHATWG URL, as browsers parse it). */
const PORTAL = 'https://portal.example';
const followedFrom = (location: string, page: string) => new URL(location, `${PORTAL}${page}`);

describe('safeReturnTo against dot segments (RT-4)', () => {
  it.each([
    '/.//evil.example',
    '/consent/../..//evil.example',
    '/a/..//evil.example/x',
    '/%2e//evil.example',
    '/./%2e//evil.example',
  ])('never returns a path that resolves to another host: %s', (value) => {
    const out = safeReturnTo(value);
    expect(out.startsWith('//')).toBe(false);
    expect(followedFrom(out, '/login').origin).toBe(PORTAL);
  });

  it('keeps same-site paths with dot segments resolved', () => {
    expect(safeReturnTo('/consent/./active')).toBe('/consent/active');
    expect(safeReturnTo('/x/../consent/active?lang=en')).toBe('/consent/active?lang=en');
  });

  it('stays on the portal for any generated returnTo, from any page (property)', () => {
    // Mostly slashes and dots (what builds a `//` after resolution), some of everything else.
    const piece = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('/', '.', '..', '%2e') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '%2f',
          '\\',
          '%5c',
          'evil.example',
          'consent',
          '?',
          '#',
          '@',
          ':',
          '%09',
          '\t',
          ' ',
          'https:',
        ),
      },
    );
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 1, maxLength: 10 }).map((p) => p.join('')),
        fc.constantFrom('/login', '/consent/request', '/a/b/c'),
        (value, page) => {
          const out = safeReturnTo(value);
          expect({
            value,
            origin: followedFrom(out, page).origin,
            slashes: out.startsWith('//') || out.startsWith('/\\'),
          }).toEqual({
            value,
            origin: PORTAL,
            slashes: false,
          });
        },
      ),
      { numRuns: 5000 },
    );
  });
});
