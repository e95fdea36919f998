import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './json-depth.js';

/** Reference: the nesting depth of a parsed value, walked with an explicit stack. */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    max = Math.max(max, d + 1);
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

describe('jsonNestsDeeperThan (RT-10)', () => {
  it('agrees with the depth of the parsed value for any JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), fc.integer({ min: 0, max: 12 }), (value, max) => {
        const text = JSON.stringify(value);
        expect(jsonNestsDeeperThan(text, max)).toBe(depthOf(JSON.parse(text)) > max);
      }),
      { numRuns: 2000 },
    );
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonNestsDeeperThan(JSON.stringify({ a: '[[[[{{{{\\"[[[[' }), 1)).toBe(false);
    expect(jsonNestsDeeperThan('{"a":"\\"[[["}', 1)).toBe(false);
  });

  it(`refuses the 200 000-level body that overflowed the stack, and allows ${MAX_JSON_DEPTH} levels`, () => {
    expect(jsonNestsDeeperThan(`{"name":${'['.repeat(200_000)}${']'.repeat(200_000)}}`)).toBe(true);
    expect(jsonNestsDeeperThan(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).toBe(false);
    expect(jsonNestsDeeperThan(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`)).toBe(
      true,
    );
  });
});
