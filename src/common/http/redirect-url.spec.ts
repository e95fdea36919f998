import { describe, expect, it } from '@jest/globals';
import { isValidRedirectUrl, MAX_REDIRECT_URL_LENGTH, urlScheme } from './redirect-url.js';

describe('redirect URLs', () => {
  it.each([
    'https://bank.example/done?x=1#y',
    'http://localhost:3000/cb',
    'bankapp://consent',
    'no.bank.app:/cb',
  ])('accepts %s', (u) => {
    expect(isValidRedirectUrl(u)).toBe(true);
  });
  it.each([
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    'data:text/html,x',
    'file:///etc/passwd',
    'vbscript:x',
    '/relative',
    'https://',
    'bankapp:',
    ' https://a.example',
    'https://a.example/\n',
  ])('refuses %j', (u) => {
    expect(isValidRedirectUrl(u)).toBe(false);
  });
});

describe('redirect URL limits and schemes', () => {
  it('refuses a URL longer than the limit', () => {
    const base = 'https://bank.example/';
    expect(isValidRedirectUrl(base + 'a'.repeat(MAX_REDIRECT_URL_LENGTH - base.length))).toBe(true);
    expect(isValidRedirectUrl(base + 'a'.repeat(MAX_REDIRECT_URL_LENGTH - base.length + 1))).toBe(false);
  });

  it.each([
    ['HTTPS://a.example', 'https'],
    ['bankapp://x', 'bankapp'],
    ['no.bank.app:/cb', 'no.bank.app'],
    ['/relative', undefined],
    ['1http://x', undefined],
  ])('reads the scheme of %s as %s', (u, scheme) => {
    expect(urlScheme(u)).toBe(scheme);
  });
});
