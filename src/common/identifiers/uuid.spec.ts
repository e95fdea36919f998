import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isUuid, uuidv7 } from './uuid.js';

describe('isUuid', () => {
  it.each([
    ['0193a0f4-5b1e-4c3d-9a2b-1f2e3d4c5b6a', 'a version 4 id'],
    ['0193A0F4-5B1E-7C3D-9A2B-1F2E3D4C5B6A', 'upper case'],
    ['d5b5bd5b-cf6b-4b2b-c7e9-2b2e8b4a0c11', "Altinn's wire samples: a `c` variant nibble"],
    ['00000000-0000-0000-0000-000000000000', 'the nil UUID'],
  ])('accepts %s (%s)', (s) => {
    expect(isUuid(s)).toBe(true);
  });

  it.each([
    ['0193a0f4-5b1e-4c3d-9a2b-1f2e3d4c5b6', 'one digit short'],
    ['0193a0f45b1e4c3d9a2b1f2e3d4c5b6a', 'no dashes'],
    ['{0193a0f4-5b1e-4c3d-9a2b-1f2e3d4c5b6a}', '.NET braces'],
    ['0193a0f4-5b1e-4c3d-9a2b-1f2e3d4c5b6a\n', 'a trailing newline'],
    ['0193a0f4-5b1e-4c3d-9a2b-1f2e3d4c5g6a', 'a non-hex digit'],
    ["x' OR 1=1", 'SQL'],
    ['', 'empty'],
  ])('refuses %j (%s)', (s) => {
    expect(isUuid(s)).toBe(false);
  });

  it('refuses what is not a string', () => {
    for (const v of [undefined, null, 42, {}, ['0193a0f4-5b1e-4c3d-9a2b-1f2e3d4c5b6a']])
      expect(isUuid(v)).toBe(false);
  });
});

describe('uuidv7', () => {
  it('makes RFC 9562 version 7 ids (version nibble 7, variant 10) that isUuid accepts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (ms) => {
        const id = uuidv7(ms);
        expect(isUuid(id)).toBe(true);
        expect(id[14]).toBe('7');
        expect(['8', '9', 'a', 'b']).toContain(id[19]);
      }),
    );
  });

  it('carries the Unix milliseconds in its first 48 bits, so ids sort by creation time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (ms) => {
        expect(parseInt(uuidv7(ms).replace(/-/g, '').slice(0, 12), 16)).toBe(ms);
      }),
    );
    const a = uuidv7(1_700_000_000_000);
    const b = uuidv7(1_700_000_000_001);
    expect(a < b).toBe(true);
  });

  it('draws fresh randomness for every id, across the refills of its entropy block', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => uuidv7(1_700_000_000_000)));
    expect(ids.size).toBe(1000);
  });
});
