import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { foldParamName, foldsOnto, paramsFoldingOnto } from './query-params.js';

/*
 * Reference readers: the key under which a framework files a raw query parameter name. A check
 * on one spelling holds only if every raw name that one of them reads as that spelling folds onto
 * the same name as the spelling itself.
 */
function decodeOnce(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw.replace(/\+/g, ' ');
  }
}

/** PHP's php_register_variable_ex (PHP 8): leading spaces skipped, ` ` and `.` → `_` before a `[`, `a[…]` files under `a`. */
function phpKey(raw: string): string {
  const name = decodeOnce(raw).replace(/^ +/, '');
  const open = name.indexOf('[');
  const base = (open === -1 ? name : name.slice(0, open)).replace(/[ .]/g, '_');
  if (open === -1) return base;
  return name.indexOf(']', open) === -1 ? `${base}_${name.slice(open + 1)}` : base;
}

/** ASP.NET's QueryCollection: StringComparer.OrdinalIgnoreCase (per-character upper-case). */
const aspNetKey = (raw: string) => decodeOnce(raw).toUpperCase();

/** Rack and qs (Express): `a[…]` files under `a`. */
function rackKey(raw: string): string {
  const name = decodeOnce(raw);
  const open = name.indexOf('[');
  return open > 0 ? name.slice(0, open) : name;
}

const TARGET = 'person_id';
/** Spellings of each character of the target that some framework may read as that character. */
const VARIANTS: Record<string, string[]> = {
  p: ['p', 'P', '%70', '%50'],
  e: ['e', 'E', '%65'],
  r: ['r', 'R'],
  s: ['s', 'S', '%C5%BF', '%73'],
  o: ['o', 'O'],
  n: ['n', 'N'],
  _: ['_', '%5F', '.', '%2E', ' ', '+', '%20', '[', '-'],
  i: ['i', 'I', '%C4%B1', 'ı', '%69'],
  d: ['d', 'D'],
};
const PREFIXES = ['', '+', '%20', ' ', '++', '%2520', '%09', '.', '_'];
const SUFFIXES = ['', '[]', '[0]', '[', ']', '[x]', ' ', '%20'];
const spelling = fc
  .tuple(
    fc.constantFrom(...PREFIXES),
    fc.tuple(...[...TARGET].map((c) => fc.constantFrom(...VARIANTS[c]))),
    fc.constantFrom(...SUFFIXES),
  )
  .map(([pre, chars, suf]) => `${pre}${chars.join('')}${suf}`);

describe('foldParamName', () => {
  it.each([
    ['+person_id', 'PHP skips leading spaces'],
    ['%20person_id', 'PHP skips leading spaces'],
    ['%20%20person_id', 'more than one'],
    ['%2520person_id', 'double-decoded'],
    ['person_%C4%B1d', 'dotless i upper-cases to I (ASP.NET, Java)'],
    ['PERSON_%C4%B1D', 'dotless i, upper case'],
    ['person.id', 'PHP'],
    ['person_id[]', 'PHP/Rack array'],
    ['person[id', 'PHP: an unmatched [ becomes _ (RT-1b)'],
    ['person%5Bid', 'PHP, encoded'],
    ['PERSON[ID', 'PHP and ASP.NET'],
  ])('folds %s onto person_id (%s)', (raw) => {
    expect(paramsFoldingOnto(`${raw}=1`, foldParamName(TARGET))).toEqual([raw]);
  });

  it('folds the long s and the Kelvin sign like ASP.NET compares them', () => {
    expect(foldParamName('%C5%BFubject')).toBe(foldParamName('subject'));
    expect(foldParamName('%E2%84%AAey')).toBe(foldParamName('key'));
  });

  it('finds a second subject spelled with a leading space (regression: PHP read it as the subject)', () => {
    expect(paramsFoldingOnto('person_id=02013299997&+person_id=25922947409', 'person_id')).toEqual([
      'person_id',
      '+person_id',
    ]);
  });

  it('keeps different names apart', () => {
    for (const other of ['personid', 'person_idx', 'xperson_id', 'person__id'])
      expect(foldParamName(other)).not.toBe(foldParamName(TARGET));
  });

  it('folds every name that PHP, ASP.NET or Rack file under the target onto the target (property)', () => {
    fc.assert(
      fc.property(spelling, (name) => {
        const readAsTarget =
          phpKey(name) === TARGET || aspNetKey(name) === TARGET.toUpperCase() || rackKey(name) === TARGET;
        if (readAsTarget) expect({ name, folds: foldsOnto(name, TARGET) }).toEqual({ name, folds: true });
      }),
      { numRuns: 20000 },
    );
    // The generator does reach the interesting spellings.
    expect(phpKey('+person.id')).toBe(TARGET);
    expect(aspNetKey('PERSON_%C4%B1D')).toBe(TARGET.toUpperCase());
  });
});
