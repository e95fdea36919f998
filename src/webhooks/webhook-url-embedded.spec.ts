import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isBlockedAddress, webhookUrlProblem } from './webhook-url.js';

const production = { allowPrivate: false };
const BLOCKED_URL = 'url must not point at a loopback, private, link-local or reserved address';

const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
/** Every IPv6 spelling that carries `v4` to where a connection would really go. */
function embeddings([a, b, c, d]: number[]): string[] {
  const dotted = `${a}.${b}.${c}.${d}`;
  const tail = `${hex(a, b)}:${hex(c, d)}`;
  return [
    `::ffff:${dotted}`,
    `::ffff:${tail}`,
    `0:0:0:0:0:ffff:${tail}`,
    `::ffff:0:${dotted}`,
    `::ffff:0:${tail}`,
    `::${dotted}`,
    `::${tail}`,
    `64:ff9b::${dotted}`,
    `64:ff9b::${tail}`,
    `2002:${hex(a, b)}:${hex(c, d)}::`,
    `2002:${hex(a, b)}:${hex(c, d)}:1::5`,
  ];
}

describe('IPv4 embedded in IPv6 webhook targets (RT-5)', () => {
  it.each([
    '[2002:7f00:1::]',
    '[2002:a9fe:a9fe::]',
    '[::127.0.0.1]',
    '[::ffff:0:7f00:1]',
    '[::ffff:0:a9fe:a9fe]',
    '[::a00:1]',
  ])('refuses https://%s/ in production', (host) => {
    expect(webhookUrlProblem(`https://${host}/hook`, production)).toBe(BLOCKED_URL);
  });

  it('accepts a 6to4 address of a public IPv4 host', () => {
    expect(webhookUrlProblem('https://[2002:808:808::1]/hook', production)).toBeNull();
    expect(isBlockedAddress('2002:808:808::1')).toBe(false);
  });

  const blockedV4 = fc.oneof(
    fc.tuple(fc.constant(127), fc.nat(255), fc.nat(255), fc.nat(255)),
    fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.nat(255)),
    fc.tuple(fc.constant(169), fc.constant(254), fc.nat(255), fc.nat(255)),
    fc.tuple(fc.constant(192), fc.constant(168), fc.nat(255), fc.nat(255)),
    fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)),
    fc.tuple(fc.constant(0), fc.nat(255), fc.nat(255), fc.nat(255)),
  );

  it('blocks every embedding of a blocked IPv4 address, as the address and as a URL host (property)', () => {
    fc.assert(
      fc.property(blockedV4, (v4) => {
        for (const v6 of embeddings(v4)) {
          expect({ v6, blocked: isBlockedAddress(v6) }).toEqual({ v6, blocked: true });
          // Through WHATWG URL, which rewrites the address into its own canonical form.
          expect({ v6, problem: webhookUrlProblem(`https://[${v6}]/hook`, production) }).toEqual({
            v6,
            problem: BLOCKED_URL,
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});
