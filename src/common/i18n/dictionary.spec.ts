import { describe, expect, it } from '@jest/globals';
import { Dictionary } from './dictionary.js';

describe('Dictionary', () => {
  const texts = new Dictionary({
    nb: { hello: 'Hei', bye: 'Ha det', only: 'Bare bokmål' },
    nn: { hello: 'Hei', bye: 'Ha det bra' },
    en: { hello: 'Hello', bye: 'Goodbye' },
  });

  it('gives each language its own texts', () => {
    expect(texts.in('en')).toEqual({ hello: 'Hello', bye: 'Goodbye', only: 'Bare bokmål' });
    expect(texts.in('nn').bye).toBe('Ha det bra');
  });

  it('takes a text a language lacks from its fallback (Bokmål)', () => {
    expect(texts.in('nn').only).toBe('Bare bokmål');
    expect(texts.in('en').only).toBe('Bare bokmål');
  });

  it('treats a language left out entirely as all fallback', () => {
    const guide = new Dictionary({ nb: { title: 'Veiledning' }, en: { title: 'Guide' } });
    expect(guide.in('nn')).toEqual({ title: 'Veiledning' });
  });

  it('hands out frozen texts, so a page cannot change another page’s words', () => {
    expect(Object.isFrozen(texts.in('nb'))).toBe(true);
    expect(() => {
      (texts.in('nb') as { hello: string }).hello = 'x';
    }).toThrow(TypeError);
  });

  it('builds a complete dictionary the same way', () => {
    const complete = Dictionary.complete({ nb: { a: 'nb' }, nn: { a: 'nn' }, en: { a: 'en' } });
    expect([complete.in('nb').a, complete.in('nn').a, complete.in('en').a]).toEqual(['nb', 'nn', 'en']);
  });
});
