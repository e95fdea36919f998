import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../errors/domain-error.js';
import { MAX_FORM_FIELDS, parseForm } from './body-parsers.js';

describe('parseForm limits (RT-11)', () => {
  it(`refuses more than ${MAX_FORM_FIELDS} fields with 413`, () => {
    const res = parseForm('x=1&'.repeat(MAX_FORM_FIELDS + 1));
    expect(res).toBeInstanceOf(DomainError);
    expect((res as DomainError).status).toBe(413);
    expect((res as DomainError).detail).toBe(`The form has more than ${MAX_FORM_FIELDS} fields.`);
  });

  it(`keeps ${MAX_FORM_FIELDS} repeats of one name as one array, in order`, () => {
    const text = Array.from({ length: MAX_FORM_FIELDS }, (_, i) => `x=${i}`).join('&');
    const res = parseForm(text) as Record<string, string[]>;
    expect(res.x).toHaveLength(MAX_FORM_FIELDS);
    expect(res.x[0]).toBe('0');
    expect(res.x[MAX_FORM_FIELDS - 1]).toBe(String(MAX_FORM_FIELDS - 1));
  });

  it('does not count empty parts (`a=1&&&b=2`) as fields', () => {
    expect(parseForm(`a=1${'&'.repeat(5000)}b=2`)).toEqual(
      Object.assign(Object.create(null), { a: '1', b: '2' }),
    );
  });
});
