import { describe, it, expect } from '@jest/globals';
import {
  isValidOrgNumber,
  isValidPersonNumber,
  iso6523Org,
  orgUrn,
  parseIso6523Org,
  parsePartyUrn,
  parseSubjectValue,
  partyUrn,
  personUrn,
} from './index.js';

/** Builds an 11-digit number from 9 digits, choosing K1 so that (Σ+K1) mod 11 = `k1Remainder`. */
function withCheckDigits(nine: string, k1Remainder = 0): string | null {
  const d = [...nine].map(Number);
  const s1 = [3, 7, 6, 1, 8, 9, 4, 5, 2].reduce((a, w, i) => a + w * d[i], 0);
  const k1 = (((k1Remainder - s1) % 11) + 11) % 11;
  if (k1 > 9) return null;
  d.push(k1);
  const s2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2].reduce((a, w, i) => a + w * d[i], 0);
  const k2 = (11 - (s2 % 11)) % 11;
  if (k2 > 9) return null;
  return nine + String(k1) + String(k2);
}

describe('isValidOrgNumber', () => {
  it.each(['991825827', '974760673', '923609016', '974761076'])('accepts the valid org number %s', (s) => {
    expect(isValidOrgNumber(s)).toBe(true);
  });

  it.each([
    ['991825828', 'wrong check digit'],
    ['123456789', 'wrong check digit'],
    ['000000000', 'all zeros'],
    ['99182582', 'too short'],
    ['9918258270', 'too long'],
    ['99182582a', 'not a digit'],
    [' 991825827', 'leading whitespace'],
    ['991825827\n', 'trailing newline'],
    ['٩٩١٨٢٥٨٢٧', 'non-ASCII digits'],
    ['', 'empty'],
  ])('refuses %j (%s)', (s) => {
    expect(isValidOrgNumber(s)).toBe(false);
  });

  it('refuses numbers whose check digit would be 10', () => {
    // Search for an 8-digit prefix with Σ mod 11 = 1: no check digit can make it valid.
    const weights = [3, 2, 7, 6, 5, 4, 3, 2];
    let found: string | undefined;
    for (let n = 10000000; n < 10000200 && !found; n++) {
      const eight = String(n).padStart(8, '0');
      const sum = [...eight].reduce((a, c, i) => a + weights[i] * Number(c), 0);
      if (sum % 11 === 1) found = eight;
    }
    expect(found).toBeDefined();
    for (let c = 0; c <= 9; c++) expect(isValidOrgNumber(`${found}${c}`)).toBe(false);
  });

  it('refuses non-strings', () => {
    expect(isValidOrgNumber(991825827)).toBe(false);
    expect(isValidOrgNumber(null)).toBe(false);
    expect(isValidOrgNumber(undefined)).toBe(false);
  });
});

describe('isValidPersonNumber', () => {
  it.each([
    ['02013299997', 'ordinary number'],
    ['42013299980', 'D-number (day + 40)'],
    ['25922947409', 'Tenor synthetic (month + 80)'],
  ])('accepts %s (%s)', (s) => {
    expect(isValidPersonNumber(s)).toBe(true);
  });

  it.each([
    ['02013299996', 'wrong K2'],
    ['0201329999', 'too short'],
    ['020132999970', 'too long'],
    ['0201329999a', 'not a digit'],
    ['00000000000', 'day 0'],
    ['', 'empty'],
  ])('refuses %s (%s)', (s) => {
    expect(isValidPersonNumber(s)).toBe(false);
  });

  it('accepts month + 40 (H-number / NAV synthetic) and synthetic D-numbers', () => {
    expect(isValidPersonNumber(withCheckDigits('025232999'))).toBe(true); // month 52 → 12
    expect(isValidPersonNumber(withCheckDigits('428132999'))).toBe(true); // day+40, month+80
  });

  it('accepts any K1 giving (Σ+K1) mod 11 in {0,1,2,3} (the 2032 rule) and refuses 4 and above', () => {
    const accepted: string[] = [];
    const refused: string[] = [];
    for (let r = 0; r <= 10; r++) {
      const n = withCheckDigits('020132999', r);
      if (n === null) continue;
      (r <= 3 ? accepted : refused).push(n);
    }
    expect(accepted.length).toBeGreaterThanOrEqual(3);
    expect(refused.length).toBeGreaterThanOrEqual(5);
    for (const n of accepted) expect(isValidPersonNumber(n)).toBe(true);
    for (const n of refused) expect(isValidPersonNumber(n)).toBe(false);
  });

  it.each([
    ['310432999', '31 April'],
    ['300232999', '30 February'],
    ['290233999', '29 February in a non-leap year'],
    ['001232999', 'day 0'],
    ['321232999', 'day 32'],
    ['721232999', 'D-number day 32'],
    ['011332999', 'month 13'],
    ['010032999', 'month 0'],
    ['016032999', 'month 60 (neither +40 nor +80)'],
    ['019332999', 'month 93'],
  ])('refuses an impossible date: %s (%s) even with correct check digits', (nine) => {
    const n = withCheckDigits(nine) ?? withCheckDigits(nine, 1) ?? withCheckDigits(nine, 2);
    expect(n).not.toBeNull();
    expect(isValidPersonNumber(n)).toBe(false);
  });

  it('accepts 29 February in a year divisible by 4', () => {
    const n =
      withCheckDigits('290232999') ?? withCheckDigits('290232999', 1) ?? withCheckDigits('290232999', 2);
    expect(isValidPersonNumber(n)).toBe(true);
  });
});

describe('party URNs', () => {
  it.each([
    ['urn:altinn:organization:identifier-no:991825827', { type: 'organization', id: '991825827' }],
    ['urn:altinn:person:identifier-no:02013299997', { type: 'person', id: '02013299997' }],
  ])('parses %s', (urn, expected) => {
    expect(parsePartyUrn(urn)).toEqual(expected);
  });

  it.each([
    ['urn:altinn:organization:identifier-no:991825828', 'bad org checksum'],
    ['urn:altinn:person:identifier-no:02013299996', 'bad person checksum'],
    ['urn:altinn:organization:identifier-no:02013299997', 'person number in an org URN'],
    ['urn:altinn:person:identifier-no:991825827', 'org number in a person URN'],
    ['URN:ALTINN:ORGANIZATION:IDENTIFIER-NO:991825827', 'upper case'],
    ['urn:altinn:organization:identifier-no: 991825827', 'embedded space'],
    ['urn:altinn:organization:identifier-no:991825827 ', 'trailing space'],
    ['urn:altinn:organization:identifier-no:', 'missing id'],
    ['urn:altinn:organization:identifier-no:991825827:x', 'extra segment'],
    ['urn:altinn:organization:orgno:991825827', 'other type'],
    ['991825827', 'bare number'],
    ['', 'empty'],
  ])('refuses %j (%s)', (urn) => {
    expect(parsePartyUrn(urn)).toBeNull();
  });

  it('builds URNs and refuses to build one for an invalid number', () => {
    expect(orgUrn('991825827')).toBe('urn:altinn:organization:identifier-no:991825827');
    expect(personUrn('02013299997')).toBe('urn:altinn:person:identifier-no:02013299997');
    expect(partyUrn({ type: 'organization', id: '974760673' })).toBe(
      'urn:altinn:organization:identifier-no:974760673',
    );
    expect(() => orgUrn('991825828')).toThrow(TypeError);
    expect(() => personUrn('02013299996')).toThrow(TypeError);
  });

  it('round-trips a built URN through the parser', () => {
    expect(parsePartyUrn(orgUrn('923609016'))).toEqual({ type: 'organization', id: '923609016' });
    expect(parsePartyUrn(personUrn('42013299980'))).toEqual({ type: 'person', id: '42013299980' });
  });
});

describe('parseSubjectValue', () => {
  it.each([
    ['02013299997', { type: 'person', id: '02013299997' }],
    ['991825827', { type: 'organization', id: '991825827' }],
    ['urn:altinn:person:identifier-no:25922947409', { type: 'person', id: '25922947409' }],
    ['urn:altinn:organization:identifier-no:974760673', { type: 'organization', id: '974760673' }],
  ])('accepts %s', (s, expected) => {
    expect(parseSubjectValue(s)).toEqual(expected);
  });

  it.each(['02013299996', '991825828', '1234567890', '', ' 991825827', '0192:991825827', undefined])(
    'refuses %j',
    (s) => {
      expect(parseSubjectValue(s)).toBeNull();
    },
  );
});

describe('ISO 6523 organisation identifiers', () => {
  it('parses 0192:<orgno>', () => {
    expect(parseIso6523Org('0192:991825827')).toBe('991825827');
    expect(iso6523Org('991825827')).toBe('0192:991825827');
  });

  it.each([
    '0192:991825828',
    '0191:991825827',
    '991825827',
    '0192:',
    '0192: 991825827',
    '0192:9918258270',
    42,
  ])('refuses %j', (s) => {
    expect(parseIso6523Org(s)).toBeNull();
  });
});
