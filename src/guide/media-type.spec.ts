import { describe, expect, it } from '@jest/globals';
import { pickLang } from './guide-texts.js';
import { wantsJson } from './media-type.js';

describe('wantsJson', () => {
  it.each([
    ['application/json', true],
    ['application/json, text/html;q=0.9', true],
    ['text/html, application/json', false],
    ['application/*', true],
    ['application/json;q=0.5, text/html', false],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', false],
    ['*/*', false],
    ['application/json;q=0', false],
    ['text/plain', false],
    ['', false],
  ])('%s → %s', (accept, json) => {
    expect(wantsJson(accept)).toBe(json);
  });

  it('serves the page when there is no Accept header', () => {
    expect(wantsJson(undefined)).toBe(false);
  });
});

describe('pickLang', () => {
  it('prefers ?lang, then Accept-Language, then Bokmål', () => {
    expect(pickLang('en', 'nb')).toBe('en');
    expect(pickLang('nn', 'en')).toBe('nb');
    expect(pickLang(undefined, 'en-GB,en;q=0.9')).toBe('en');
    expect(pickLang(undefined, 'de-DE, nb;q=0.8, en;q=0.5')).toBe('nb');
    expect(pickLang(undefined, 'fr')).toBe('nb');
    expect(pickLang('xx', undefined)).toBe('nb');
  });
});
