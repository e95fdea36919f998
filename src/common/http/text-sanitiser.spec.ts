import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { badTextError, findBadText, isBadText } from './text-sanitiser.js';

/** The oracle: what PostgreSQL refuses in text and jsonb. */
// A lone surrogate does not survive a UTF-8 round trip (it becomes U+FFFD).
const unstorable = (s: string) => s.includes('\u0000') || Buffer.from(s, 'utf8').toString('utf8') !== s;

/** Paths of unstorable strings, computed independently (recursion on JSON.stringify'd keys). */
function expected(value: unknown, path: string, out: string[]): string[] {
  if (typeof value === 'string') {
    if (unstorable(value)) out.push(path);
  } else if (Array.isArray(value)) value.forEach((v, i) => expected(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      const at = /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
      if (unstorable(k)) out.push(at);
      expected(v, at, out);
    }
  return out;
}

/** Strings biased toward NUL and surrogates, whole or split. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc
    .array(fc.constantFrom('a', '\u0000', '\ud800', '\udc00', '\ud83d\ude00', 'æ', '\uffff'), {
      maxLength: 5,
    })
    .map((a) => a.join('')),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('findBadText', () => {
  it('finds exactly the strings (values and keys, any depth) PostgreSQL could not store', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(findBadText(value)).toEqual(expected(value, '$', []));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['a\u0000b', true],
    ['\ud800', true],
    ['x\udc00', true],
    ['\udbff\udfff', false],
    ['😀', false],
    ['\ufffd\uffff', false],
    ['', false],
  ])('isBadText(%j) is %s', (s, bad) => {
    expect(isBadText(s)).toBe(bad);
  });

  it('lists at most 100 fields in one answer', () => {
    const paths = Array.from({ length: 500 }, (_, i) => `$[${i}]`);
    expect(badTextError(paths).validationErrors).toHaveLength(100);
  });
});

describe('findBadText on deep input', () => {
  it('walks nesting deeper than a recursive walk could', () => {
    let v: unknown = '\u0000';
    for (let i = 0; i < 100_000; i++) v = [v];
    expect(findBadText(v)).toHaveLength(1);
  });
});
