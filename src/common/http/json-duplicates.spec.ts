import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { countMemberSeparators, countParsedMembers, repeatedMemberPaths } from './json-duplicates.js';
import { childPath } from './text-sanitiser.js';

/**
 * A JSON document as the text spells it: objects are lists of members, so a name can repeat.
 * The generator writes it out (names sometimes \u-escaped, whitespace anywhere JSON allows it)
 * and computes, independently of the code under test, which members repeat and where.
 */
type Doc =
  | { kind: 'scalar'; value: string | number | boolean | null }
  | { kind: 'array'; items: Doc[] }
  | { kind: 'object'; members: Array<[string, Doc]> };

// Few names, so repeats are common; odd ones to exercise escaping and the path syntax.
const NAME = fc.constantFrom('a', 'b', 'accessListMode', '', 'a b', 'x:y', '"', '\\', 'æ', '__proto__', '0');
const SCALAR = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', ':', '"', '\\', '{', '}', ',', 'ø'), maxLength: 6 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);

const { doc } = fc.letrec<{ doc: Doc }>((tie) => ({
  doc: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    SCALAR.map((value): Doc => ({ kind: 'scalar', value })),
    fc.array(tie('doc'), { maxLength: 4 }).map((items): Doc => ({ kind: 'array', items })),
    fc
      .array(fc.tuple(NAME, tie('doc')), { maxLength: 5 })
      .map((members): Doc => ({ kind: 'object', members })),
  ),
}));

const escapeAll = (name: string) =>
  `"${[...name].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`;

/** The text of `d`; `escape` decides per member whether its name is written as \u escapes. */
function write(d: Doc, escape: () => boolean, ws: () => string): string {
  if (d.kind === 'scalar') return JSON.stringify(d.value);
  if (d.kind === 'array')
    return `[${ws()}${d.items.map((i) => write(i, escape, ws)).join(`,${ws()}`)}${ws()}]`;
  const members = d.members.map(
    ([k, v]) => `${escape() ? escapeAll(k) : JSON.stringify(k)}${ws()}:${ws()}${write(v, escape, ws)}`,
  );
  return `{${ws()}${members.join(`,${ws()}`)}${ws()}}`;
}

/** The model: paths of second and later occurrences of a name in one object, in text order, once each. */
function repeatsOf(d: Doc, path = '$', out: string[] = []): string[] {
  if (d.kind === 'array') d.items.forEach((item, i) => repeatsOf(item, childPath(path, i), out));
  if (d.kind === 'object') {
    const seen = new Set<string>();
    for (const [k, v] of d.members) {
      const at = childPath(path, k);
      if (seen.has(k) && !out.includes(at)) out.push(at);
      seen.add(k);
      repeatsOf(v, at, out);
    }
  }
  return out;
}

function pseudoRandom(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

describe('repeatedMemberPaths (RT3-6: repeated JSON member names)', () => {
  it('finds nothing in any JSON.stringify output, and counts agree with the parse (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.constantFrom(0, 2), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        const parsed: unknown = JSON.parse(text);
        expect(repeatedMemberPaths(text, parsed)).toEqual([]);
        expect(countMemberSeparators(text)).toBe(countParsedMembers(parsed));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses exactly the texts that repeat a name, naming every repeat by its path (property)', () => {
    fc.assert(
      fc.property(doc, fc.integer(), (d, seed) => {
        const rnd = pseudoRandom(seed);
        const text = write(
          d,
          () => rnd() < 0.3,
          () => [' ', '', '\n', '\t', ''][Math.floor(rnd() * 5)],
        );
        const parsed: unknown = JSON.parse(text); // JSON.parse accepts it (last member wins)
        expect(repeatedMemberPaths(text, parsed)).toEqual(repeatsOf(d));
      }),
      { numRuns: 3000 },
    );
  });

  it('names the member the red team repeated, at any depth', () => {
    const text = '{"accessListMode":"Disabled","accessListMode":"Enabled"}';
    expect(repeatedMemberPaths(text, JSON.parse(text))).toEqual(['$.accessListMode']);
    const nested = '{"actionFilters":["read"],"x":[{"a":1},{"k":{"b":1,"b":2}}],"actionFilters":[]}';
    expect(repeatedMemberPaths(nested, JSON.parse(nested))).toEqual(['$.x[1].k.b', '$.actionFilters']);
  });

  it('compares names after unescaping, as JSON.parse does', () => {
    const text = '{"a":1,"\\u0061":2}';
    expect(repeatedMemberPaths(text, JSON.parse(text))).toEqual(['$.a']);
    const odd = '{"a\\"b":1,"a\\u0022b":2}';
    expect(repeatedMemberPaths(odd, JSON.parse(odd))).toEqual(['$["a\\"b"]']);
  });

  it('is not fooled by colons and escaped quotes inside strings', () => {
    const text = '{"a":"x:\\":y","b\\\\":":"}';
    expect(repeatedMemberPaths(text, JSON.parse(text))).toEqual([]);
  });

  it('leaves scalars and empty containers alone', () => {
    for (const text of ['1', '"a:b"', 'null', '[]', '{}', '[{}, []]'])
      expect(repeatedMemberPaths(text, JSON.parse(text))).toEqual([]);
  });
});
