import { describe, expect, it } from '@jest/globals';
import { decisionRedirect, formActionSource, loginUrl, safeReturnTo } from './portal-urls.js';

describe('decisionRedirect (Altinn’s redirect after a decision)', () => {
  it.each([
    ['https://bank.example/done', true, 'https://bank.example/done?Status=OK'],
    ['https://bank.example/done?ref=7', true, 'https://bank.example/done?ref=7&Status=OK'],
    ['https://bank.example/done?', true, 'https://bank.example/done?Status=OK'],
    [
      'https://bank.example/done',
      false,
      'https://bank.example/done?Status=Failed&ErrorMessage=User%20did%20not%20give%20consent',
    ],
    ['https://spa.example/#/consent', true, 'https://spa.example/#/consent?Status=OK'],
    [
      'https://spa.example/app?x=1#/consent?step=2',
      true,
      'https://spa.example/app?x=1#/consent?step=2&Status=OK',
    ],
    ['https://bank.example/done#section', true, 'https://bank.example/done?Status=OK#section'],
    [
      'bankapp://consent/done',
      false,
      'bankapp://consent/done?Status=Failed&ErrorMessage=User%20did%20not%20give%20consent',
    ],
  ])('%s (accepted: %s) → %s', (url, accepted, expected) => {
    expect(decisionRedirect(url, accepted)).toBe(expected);
  });
});

describe('formActionSource', () => {
  it.each([
    ['https://bank.example/done?x=1#/y', 'https://bank.example'],
    ['http://127.0.0.1:8081/done', 'http://127.0.0.1:8081'],
    ['https://[::1]:8443/done', 'https://[::1]:8443'],
    ['BankApp://consent', 'bankapp:'],
    ['javascript:alert(1)', null],
    ['data:text/html,x', null],
    ['not a url', null],
  ])('%s → %s', (url, expected) => {
    expect(formActionSource(url)).toBe(expected);
  });
});

describe('safeReturnTo (no open redirect after login)', () => {
  it.each([
    ['/consent/request?id=1&lang=en', '/consent/request?id=1&lang=en'],
    ['/consent/active', '/consent/active'],
    ['/a/../consent/active', '/consent/active'],
    ['//evil.example/x', '/consent/active'],
    ['/\\evil.example', '/consent/active'],
    ['\\\\evil.example', '/consent/active'],
    ['https://evil.example/', '/consent/active'],
    ['javascript:alert(1)', '/consent/active'],
    ['/\tevil', '/consent/active'],
    ['consent/active', '/consent/active'],
    ['', '/consent/active'],
    [undefined, '/consent/active'],
    [['/a', '/b'], '/consent/active'],
    [`/${'a'.repeat(3000)}`, '/consent/active'],
  ])('%j → %s', (value, expected) => {
    expect(safeReturnTo(value)).toBe(expected);
  });

  it('builds the login link with the page to come back to', () => {
    expect(loginUrl('/consent/request?id=1&lang=en', 'en')).toBe(
      '/login?returnTo=%2Fconsent%2Frequest%3Fid%3D1%26lang%3Den&lang=en',
    );
    expect(loginUrl('//evil.example')).toBe('/login?returnTo=%2Fconsent%2Factive');
  });
});
