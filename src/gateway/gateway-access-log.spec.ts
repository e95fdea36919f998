import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { maskIdentityNumbers } from './gateway-access-log.js';

describe('maskIdentityNumbers (the gateway log line names where a call went, not whom it was about)', () => {
  it.each([
    ['/proxy/inntekt/v1/person/15058510170', '/proxy/inntekt/v1/person/***********'],
    ['/proxy/inntekt/v1/15058510170/skatt', '/proxy/inntekt/v1/***********/skatt'],
    ['/proxy/a/fnr=15058510170;x', '/proxy/a/fnr=***********;x'],
    ['/proxy/a/%31%35%30%35%38%35%31%30%31%37%30', '/proxy/a/***********'],
    ['/proxy/a/1505851017%30', '/proxy/a/***********'],
    ['/proxy/a/150585-10170/x', '/proxy/a/***********/x'],
    ['/proxy/a/150585%2010170', '/proxy/a/***********'],
    ['/proxy/a/x;access_token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', '/proxy/a/x;access_token=[token]'],
    ['/proxy/a/tok/eyJhbGciOiJub25lIn0.e30./y', '/proxy/a/tok/[token]/y'],
  ])('masks %s', (path, masked) => {
    expect(maskIdentityNumbers(path)).toBe(masked);
  });

  it.each([
    '/proxy/inntekt/v1/org/974761076',
    '/proxy/inntekt/v1/2024',
    '/proxy/inntekt/v1/123456789012',
    '/proxy/a/0193b5c4-1111-7000-8000-000000000000',
  ])('leaves %s as it is', (path) => {
    expect(maskIdentityNumbers(path)).toBe(path);
  });

  it('never leaves 11 digits in a row standing alone, whatever surrounds them', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z/]{0,8}$/),
        fc.stringMatching(/^[0-9]{11}$/),
        fc.stringMatching(/^[a-z/;=]{0,8}$/),
        (a, fnr, b) => {
          expect(maskIdentityNumbers(`${a}${fnr}${b}`)).not.toContain(fnr);
        },
      ),
    );
  });
});
