import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { InvalidTokenError } from './auth-errors.js';
import { decodeBase64UrlStrict } from './compact-jws.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('decodeBase64UrlStrict', () => {
  it('accepts exactly the canonical spelling of any bytes, and no other spelling of them', () => {
    for (let len = 0; len <= 12; len++) {
      for (let round = 0; round < 20; round++) {
        const bytes = randomBytes(len);
        const canonical = bytes.toString('base64url');
        expect(decodeBase64UrlStrict(canonical).equals(bytes)).toBe(true);
        if (!canonical) continue;
        // Every last character: accepted exactly when the result is the canonical spelling of
        // what it decodes to; a second spelling of the same bytes is always refused.
        for (const c of ALPHABET) {
          const variant = canonical.slice(0, -1) + c;
          const lenient = Buffer.from(variant, 'base64url');
          if (lenient.toString('base64url') === variant)
            expect(decodeBase64UrlStrict(variant).equals(lenient)).toBe(true);
          else expect(() => decodeBase64UrlStrict(variant)).toThrow(InvalidTokenError);
        }
      }
    }
  });

  it.each([
    ['a length of 1 mod 4', 'abcde'],
    ['padding', 'YQ=='],
    ['standard base64 characters', 'a+b/'],
    ['whitespace', 'YW Jj'],
    ['non-ASCII', 'YWJjæ'],
  ])('refuses %s', (_what, part) => {
    expect(() => decodeBase64UrlStrict(part)).toThrow(InvalidTokenError);
  });
});
