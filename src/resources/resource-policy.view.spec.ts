import { describe, expect, it } from '@jest/globals';
import { addDuration, metadataValueAllowed, parseDuration, redirectMatches } from './resource-policy.view.js';

describe('parseDuration', () => {
  it('reads date-only ISO 8601 durations and refuses zero, time parts and junk', () => {
    expect(parseDuration('P3Y')).toEqual({ years: 3, months: 0, weeks: 0, days: 0 });
    expect(parseDuration('P1Y6M2W3D')).toEqual({ years: 1, months: 6, weeks: 2, days: 3 });
    for (const bad of ['P', 'P0D', 'PT1H', '3Y', 'P-1Y', 'P1.5Y', 'p1y', ''])
      expect(parseDuration(bad)).toBeNull();
  });
});

describe('addDuration', () => {
  it('adds calendar years, months and days in UTC', () => {
    const from = new Date('2026-12-07T15:00:00.000Z');
    expect(addDuration(from, 'P3Y')?.toISOString()).toBe('2029-12-07T15:00:00.000Z');
    expect(addDuration(from, 'P2M')?.toISOString()).toBe('2027-02-07T15:00:00.000Z');
    expect(addDuration(from, 'P1W1D')?.toISOString()).toBe('2026-12-15T15:00:00.000Z');
  });
});

describe('redirectMatches', () => {
  it('matches an exact entry, and paths below an entry ending in /, on the same origin only', () => {
    expect(redirectMatches('https://a.example/cb', 'https://a.example/cb')).toBe(true);
    expect(redirectMatches('https://a.example/cb/x', 'https://a.example/cb')).toBe(false);
    expect(redirectMatches('https://a.example/cb/x?y=1', 'https://a.example/cb/')).toBe(true);
    expect(redirectMatches('https://a.example/cb/../x', 'https://a.example/cb/')).toBe(false);
    expect(redirectMatches('https://a.example/cb/%2e%2e/x', 'https://a.example/cb/')).toBe(false);
    expect(redirectMatches('https://a.example.evil.example/cb/', 'https://a.example/cb/')).toBe(false);
    expect(redirectMatches('http://a.example/cb/', 'https://a.example/cb/')).toBe(false);
    expect(redirectMatches('https://a.example:8443/cb/', 'https://a.example/cb/')).toBe(false);
    expect(redirectMatches('https://u:p@a.example/cb/', 'https://a.example/cb/')).toBe(false);
    expect(redirectMatches('bankapp://consent/done', 'bankapp://consent/')).toBe(true);
  });
});

describe('metadataValueAllowed', () => {
  it('needs an exact enum value or a whole-value RE2 match', () => {
    expect(metadataValueAllowed({ enum: ['2024'] }, '2024')).toBe(true);
    expect(metadataValueAllowed({ enum: ['2024'] }, ' 2024')).toBe(false);
    expect(metadataValueAllowed({ pattern: '[0-9]{4}' }, '2024')).toBe(true);
    expect(metadataValueAllowed({ pattern: '[0-9]{4}' }, '20245')).toBe(false);
    expect(metadataValueAllowed({ pattern: 'a|b' }, 'ab')).toBe(false);
  });

  it('runs in linear time on a pattern that would backtrack catastrophically in JavaScript', () => {
    // (a+)+$ against "aaaa…b" takes exponential time with RegExp; RE2 answers at once.
    expect(metadataValueAllowed({ pattern: '(a+)+' }, `${'a'.repeat(5000)}b`)).toBe(false);
  });
});
