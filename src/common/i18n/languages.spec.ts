import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { closestOffered, formatDateTime, isLang, langOfTag, LANGS, negotiateLang } from './languages.js';

describe('langOfTag', () => {
  it.each([
    ['nb', 'nb'],
    ['nn', 'nn'],
    ['en', 'en'],
    ['no', 'nb'],
    ['nb-NO', 'nb'],
    ['NN-no', 'nn'],
    ['en-GB', 'en'],
    [' en ', 'en'],
  ])('reads %j as %s', (tag, lang) => {
    expect(langOfTag(tag)).toBe(lang);
  });

  it.each([['de'], ['x'], [''], ['english'], [undefined], [7], [['en']]])(
    'knows no language in %j',
    (tag) => {
      expect(langOfTag(tag)).toBeUndefined();
    },
  );
});

describe('isLang', () => {
  it('accepts exactly our codes', () => {
    expect(LANGS.every(isLang)).toBe(true);
    for (const v of ['NB', 'no', 'nb-NO', '', null]) expect(isLang(v)).toBe(false);
  });
});

describe('closestOffered', () => {
  it('follows the fallbacks: Nynorsk to Bokmål, English to Bokmål', () => {
    expect(closestOffered('nn', ['nb', 'en'])).toBe('nb');
    expect(closestOffered('en', ['nb', 'nn'])).toBe('nb');
    expect(closestOffered('nn', ['nb', 'nn', 'en'])).toBe('nn');
  });
});

describe('negotiateLang', () => {
  const all = LANGS;
  const guide = ['nb', 'en'] as const;

  it('prefers ?lang, then Accept-Language by weight, then Bokmål', () => {
    expect(negotiateLang(guide, 'en', 'nb')).toBe('en');
    expect(negotiateLang(guide, 'nn', 'en')).toBe('nb'); // asked for, not offered: its fallback
    expect(negotiateLang(all, 'nn', 'en')).toBe('nn');
    expect(negotiateLang(guide, undefined, 'en-GB,en;q=0.9')).toBe('en');
    expect(negotiateLang(guide, undefined, 'de-DE, nb;q=0.8, en;q=0.5')).toBe('nb');
    expect(negotiateLang(guide, undefined, 'en;q=0.5, nb;q=0.8')).toBe('nb');
    expect(negotiateLang(guide, undefined, 'nb;q=0, en;q=0.1')).toBe('en');
    expect(negotiateLang(guide, undefined, 'fr')).toBe('nb');
    expect(negotiateLang(guide, 'xx', undefined)).toBe('nb');
    expect(negotiateLang(all, undefined, undefined)).toBe('nb');
  });

  it('answers one of the offered languages whatever it is given (property)', () => {
    fc.assert(
      fc.property(fc.anything(), fc.option(fc.string()), (query, accept) => {
        expect(guide).toContain(negotiateLang(guide, query, accept ?? undefined));
      }),
    );
  });
});

describe('formatDateTime', () => {
  it('writes Norwegian time in each language', () => {
    const d = new Date('2026-06-01T10:30:00Z'); // 12:30 in Oslo (summer time)
    expect(formatDateTime(d, 'nb')).toMatch(/1\. juni 2026.*12:30/);
    expect(formatDateTime(d, 'en')).toMatch(/1 June 2026.*12:30/);
  });
});
