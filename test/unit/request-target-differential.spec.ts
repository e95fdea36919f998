/**
 * Differential tests of the request-target normaliser (DESIGN §11): generated targets, biased
 * toward the characters servers disagree on, must either be refused by the gateway or mean the
 * same path — the same segments, inside the API's upstream base path — under every reference
 * interpreter (test/unit/reference-servers.ts). A second property keeps the normaliser honest
 * the other way: ordinary paths are never refused.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { checkRequestTarget } from '../../src/common/http/request-target.js';
import { upstreamPath } from '../../src/gateway/api-route.js';
import { interpreters, keepsStructure, rawSegments } from './reference-servers.js';

const BASE = '/base/v1';
const PREFIX = '/proxy/inntekt';

/** Pieces servers read differently, with enough plain characters around them to form names. */
const DANGEROUS = [
  '.',
  '..',
  ';',
  ';x',
  ';jsessionid=1',
  '%2e',
  '%2E',
  '%252e',
  '%25',
  '%2f',
  '%2F',
  '%252f',
  '%5c',
  '%5C',
  '%255c',
  '\\',
  '%00',
  '%0a',
  '%c0%ae',
  '%c0%af',
  '%e0%80%ae',
  '%ef%bc%8e',
  '%e2%80%a5',
  '%ef%bc%8f',
  '%20',
  ' ',
  '%3b',
  '%253b',
  '%u002e',
  '2e',
  '5c',
  '2f',
  '%',
  '%%',
  '%32',
  '%65',
  '+',
  '%ff',
  '%ed%a0%80',
  '%c2%85',
  '~',
  '_',
  'a',
  'A',
  'b',
  '0',
  '.json',
  'x.',
];
const BENIGN = [
  'a',
  'B',
  'z9',
  '-',
  '_',
  '~',
  '.json',
  'v1',
  'a%20b',
  '%C3%A6',
  '%F0%9F%98%80',
  '2024',
  'x.y',
];

const segment = (alphabet: string[], minLength: number) =>
  fc.array(fc.constantFrom(...alphabet), { minLength, maxLength: 5 }).map((p) => p.join(''));

const target = (alphabet: string[], minLength = 0) =>
  fc
    .tuple(
      fc.array(segment(alphabet, minLength), { minLength: 0, maxLength: 5 }),
      fc.option(segment(alphabet, 0)),
    )
    .map(
      ([segments, query]) =>
        `${PREFIX}${segments.map((s) => `/${s}`).join('')}${query === null ? '' : `?q=${query}`}`,
    );

/** What the gateway sends upstream for an accepted target (gateway-proxy: upstreamPath). */
function forwardedPath(t: string): string {
  const rest = t.slice(PREFIX.length);
  const path = upstreamPath(BASE, rest);
  const q = path.indexOf('?');
  return q === -1 ? path : path.slice(0, q);
}

/** The interpreters under which an accepted target does not keep its structure. */
function misreadings(t: string): string[] {
  const path = forwardedPath(t);
  return Object.entries(interpreters)
    .filter(([, read]) => !keepsStructure(path, read(path)))
    .map(([name]) => name);
}

describe('request targets against reference servers', () => {
  it('forwards only targets that every reference server reads with the same segments, inside the base path', () => {
    fc.assert(
      fc.property(target(DANGEROUS), (t) => {
        if (checkRequestTarget(t) !== null) return true;
        const path = forwardedPath(t);
        expect(rawSegments(path).slice(0, 2)).toEqual(['base', 'v1']);
        expect({ target: t, misreadBy: misreadings(t) }).toEqual({ target: t, misreadBy: [] });
        return true;
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts every target built from ordinary characters', () => {
    fc.assert(
      fc.property(target(BENIGN, 1), (t) => {
        expect({ target: t, problem: checkRequestTarget(t) }).toEqual({ target: t, problem: null });
      }),
      { numRuns: 2000 },
    );
  });

  /** Attacks found by hand or by the properties above, kept as named cases. */
  it.each([
    ['servlet `..;` (issue 17 #1)', '/proxy/inntekt/v1/2024/..;/..;/admin'],
    ['servlet `..;x`', '/proxy/inntekt/..;x/admin'],
    ['servlet `.;`', '/proxy/inntekt/.;/admin'],
    ['servlet parameters only', '/proxy/inntekt/;/admin'],
    ['lenient servlet `..%3b`', '/proxy/inntekt/..%3b/admin'],
    ['double-decoded dots', '/proxy/inntekt/%252e%252e/admin'],
    ['dots decoded from their digits', '/proxy/inntekt/%25%32%65%25%32%65/admin'],
    ['IIS backslash', '/proxy/inntekt/..%5cadmin'],
    ['IIS trailing dots', '/proxy/inntekt/.../admin'],
    ['IIS trailing space', '/proxy/inntekt/..%20/admin'],
    ['fullwidth dots (NFKC)', '/proxy/inntekt/%ef%bc%8e%ef%bc%8e/admin'],
    ['two dot leader (NFKC)', '/proxy/inntekt/%e2%80%a5/admin'],
    ['encoded slash', '/proxy/inntekt/x%2f..%2f..%2fadmin'],
    ['overlong dots', '/proxy/inntekt/%c0%ae%c0%ae/admin'],
  ])('refuses %s', (_name, t) => {
    expect(checkRequestTarget(t)).not.toBeNull();
    // …and for a reason: some reference server reads it as another path.
    expect(misreadings(t)).not.toEqual([]);
  });
});
