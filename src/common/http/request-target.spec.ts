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
    '/proxy/inntekt/a..b',
    '/proxy/inntekt/a;v=1', // a servlet reads `a`: an alias of the same segment
    '/proxy/inntekt/file.', // Windows reads `file`: an alias too
    '/proxy/inntekt/100%25', // a literal percent sign
    '/proxy/inntekt/%2e%2ehidden', // a name that starts with two dots is still a name
    '/docs?url=https://example.com/x',
    '/x?q=%0Aline',
    '/x?q=%ff', // query values are the upstream's business (not decoded as UTF-8 here)
    '/x?q=%C3%85', // "Å": 0x85 inside UTF-8 is not a C1 control
    '/proxy/inntekt/%C3%A6%C3%B8%C3%A5', // æøå in UTF-8
    '/proxy/inntekt/%F0%9F%98%80',
  ])('accepts the ordinary target %s', (target) => {
    expect(checkRequestTarget(target)).toBeNull();
  });

  it.each([
    ['http://evil.example/proxy/inntekt', 'not-origin-form'],
    ['https://evil.example/', 'not-origin-form'],
    ['evil.example:443', 'not-origin-form'],
    ['*', 'not-origin-form'],
    ['', 'not-origin-form'],
    ['/proxy/inntekt/a#frag', 'not-origin-form'],
    ['//evil.example/proxy/inntekt', 'empty-segment'],
    ['/proxy//inntekt', 'empty-segment'],
    ['/proxy/inntekt//a', 'empty-segment'],
    ['/proxy/inntekt/;x/admin', 'empty-segment'], // only parameters: empty to a servlet
    ['/proxy/inntekt/../admin', 'dot-segment'],
    ['/proxy/inntekt/./a', 'dot-segment'],
    ['/proxy/inntekt/..', 'dot-segment'],
    ['/proxy/inntekt/%2e%2e/admin', 'dot-segment'],
    ['/proxy/inntekt/%2E%2E/admin', 'dot-segment'],
    ['/proxy/inntekt/.%2e/admin', 'dot-segment'],
    ['/proxy/inntekt/%252e%252e/admin', 'dot-segment'],
    ['/proxy/inntekt/%25252e%25252e/admin', 'dot-segment'],
    ['/proxy/inntekt/%25%32%65%25%32%65/admin', 'dot-segment'], // "%2e%2e" once decoded
    // issue 17 #1: servlet path parameters on dot segments
    ['/proxy/inntekt/v1/2024/..;/..;/admin', 'dot-segment'],
    ['/proxy/inntekt/..;x/admin', 'dot-segment'],
    ['/proxy/inntekt/.;/admin', 'dot-segment'],
    ['/proxy/inntekt/..;jsessionid=1/admin', 'dot-segment'],
    ['/proxy/inntekt/%2e%2e;x/admin', 'dot-segment'],
    ['/proxy/inntekt/..%3bx/admin', 'dot-segment'], // a lenient container decodes, then strips
    // Windows trims trailing dots and spaces
    ['/proxy/inntekt/.../admin', 'dot-segment'],
    ['/proxy/inntekt/..%20/admin', 'dot-segment'],
    ['/proxy/inntekt/.%20./admin', 'dot-segment'],
    // Unicode compatibility forms (NFKC)
    ['/proxy/inntekt/%ef%bc%8e%ef%bc%8e/admin', 'dot-segment'], // fullwidth full stops
    ['/proxy/inntekt/%e2%80%a5/admin', 'dot-segment'], // two dot leader
    ['/proxy/inntekt/a%ef%bc%8fb', 'encoded-slash'], // fullwidth solidus
    ['/proxy/inntekt/a%ef%bc%bcb', 'backslash'], // fullwidth reverse solidus
    ['/proxy/inntekt/a%2Fb', 'encoded-slash'],
    ['/proxy/inntekt/%2f%2fa', 'encoded-slash'],
    ['/proxy/inntekt/..%2fadmin', 'encoded-slash'],
    ['/proxy/inntekt/a%252fb', 'encoded-slash'],
    ['/proxy/inntekt/a\\..\\b', 'backslash'],
    ['/proxy/inntekt/a%5cb', 'backslash'],
    ['/proxy/inntekt/a%255cb', 'backslash'],
    ['/proxy/inntekt/a%00b', 'control-character'],
    ['/proxy/inntekt/a%2500b', 'control-character'],
    ['/proxy/inntekt/a\u0000b', 'control-character'],
    ['/proxy/inntekt/a%c2%85b', 'control-character'], // NEL, a C1 control
    ['/proxy/inntekt?x=%00', 'control-character'],
    ['/proxy/inntekt/æ', 'raw-character'],
    ['/proxy/inntekt/%zz', 'bad-encoding'],
    ['/proxy/inntekt/%2', 'bad-encoding'],
    ['/proxy/inntekt/%%32%65', 'bad-encoding'],
    ['/proxy/inntekt/%u002e%u002e', 'bad-encoding'], // IIS's %u form is not percent-encoding
    ['/proxy/inntekt/%2525252525', 'bad-encoding'], // still changing after the last round
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
