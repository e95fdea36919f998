import { describe, expect, it } from '@jest/globals';
import { checkRequestTarget, MAX_REQUEST_TARGET_LENGTH } from './request-target.js';

describe('checkRequestTarget', () => {
  it.each([
    '/',
    '/proxy/inntekt',
    '/proxy/inntekt/',
    '/proxy/inntekt/a/b.json?x=1&y=../z',
    '/.well-known/oauth-authorization-server',
    '/proxy/inntekt/a%20b',
    '/proxy/inntekt/a%2Fb',
    '/proxy/inntekt/...',
    '/proxy/inntekt/a..b',
    '/docs?url=https://example.com/x',
    '/x?q=%0Aline',
    '/proxy/inntekt/%C3%A6%C3%B8%C3%A5', // æøå in UTF-8
    '/proxy/inntekt/%F0%9F%98%80',
    '/x?q=%ff', // query values are the upstream's business (not decoded as UTF-8 here)
  ])('accepts the ordinary target %s', (target) => {
    expect(checkRequestTarget(target)).toBeNull();
  });

  it.each([
    ['http://evil.example/proxy/inntekt', 'not-origin-form'],
    ['https://evil.example/', 'not-origin-form'],
    ['evil.example:443', 'not-origin-form'],
    ['*', 'not-origin-form'],
    ['', 'not-origin-form'],
    ['//evil.example/proxy/inntekt', 'empty-segment'],
    ['/proxy//inntekt', 'empty-segment'],
    ['/proxy/inntekt//a', 'empty-segment'],
    ['/proxy/inntekt/%2f%2fa', 'empty-segment'],
    ['/proxy/inntekt/../admin', 'dot-segment'],
    ['/proxy/inntekt/./a', 'dot-segment'],
    ['/proxy/inntekt/..', 'dot-segment'],
    ['/proxy/inntekt/%2e%2e/admin', 'dot-segment'],
    ['/proxy/inntekt/%2E%2E/admin', 'dot-segment'],
    ['/proxy/inntekt/.%2e/admin', 'dot-segment'],
    ['/proxy/inntekt/..%2fadmin', 'dot-segment'],
    ['/proxy/inntekt/%252e%252e/admin', 'dot-segment'],
    ['/proxy/inntekt/%25252e%25252e/admin', 'dot-segment'],
    ['/proxy/inntekt/a\\..\\b', 'backslash'],
    ['/proxy/inntekt/a%5cb', 'backslash'],
    ['/proxy/inntekt/a%00b', 'control-character'],
    ['/proxy/inntekt/a%2500b', 'control-character'],
    ['/proxy/inntekt/a\u0000b', 'control-character'],
    ['/proxy/inntekt?x=%00', 'control-character'],
    ['/proxy/inntekt/%zz', 'bad-encoding'],
    ['/proxy/inntekt/%2', 'bad-encoding'],
    ['/proxy/inntekt/a#frag', 'not-origin-form'],
    ['/proxy/inntekt/%c0%af', 'not-utf8'], // overlong "/"
    ['/proxy/inntekt/%c0%ae%c0%ae/admin', 'not-utf8'], // overlong ".."
    ['/proxy/inntekt/%ff', 'not-utf8'],
    ['/proxy/inntekt/%25c0%25af', 'not-utf8'], // the same, encoded twice
    ['/proxy/inntekt/%ed%a0%80', 'not-utf8'], // a UTF-16 surrogate in UTF-8
  ])('refuses %j as %s', (target, problem) => {
    expect(checkRequestTarget(target)).toBe(problem);
  });

  it('refuses a target longer than the limit', () => {
    expect(checkRequestTarget('/' + 'a'.repeat(MAX_REQUEST_TARGET_LENGTH))).toBe('too-long');
    expect(checkRequestTarget('/' + 'a'.repeat(MAX_REQUEST_TARGET_LENGTH - 1))).toBeNull();
  });

  it('refuses a target that is not a string', () => {
    expect(checkRequestTarget(undefined)).toBe('not-origin-form');
  });
});
