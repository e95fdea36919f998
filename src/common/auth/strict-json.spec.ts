import { describe, expect, it } from '@jest/globals';
import { parseStrictJson, StrictJsonError } from './strict-json.js';

describe('parseStrictJson', () => {
  it.each([
    '{}',
    '[]',
    '{"a":1,"b":[1,2,{"a":2}],"c":{"a":3}}',
    ' { "a" : -0.5e+10 , "b" : true , "c" : false , "d" : null } ',
    '"just a string"',
    '{"\\u00e6":"\\ud83d\\ude00","esc":"\\"\\\\\\/\\b\\f\\n\\r\\t"}',
    '{"__proto__":{"polluted":true}}',
    // Colons and quotes inside strings are not member separators.
    '{"a\\":b":"c:d","e":["x:y",{"f":"\\\\"}],"g\\\\":":"}',
    '{"a":{},"b":[],"c":[{}]}',
  ])('accepts and parses like JSON.parse: %s', (text) => {
    expect(parseStrictJson(text)).toEqual(JSON.parse(text));
  });

  it('does not pollute Object.prototype through __proto__ members', () => {
    const v = parseStrictJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('counts only own members: a property added to Object.prototype neither hides a duplicate nor invents one', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.injected = 1; // enumerable, as careless code would add it
    try {
      expect(() => parseStrictJson('{"a":1,"a":2}')).toThrow(StrictJsonError);
      expect(parseStrictJson('{"a":1,"b":{"c":2}}')).toEqual({ a: 1, b: { c: 2 } });
    } finally {
      delete proto.injected;
    }
  });

  it.each([
    ['duplicate names', '{"a":1,"a":2}'],
    ['duplicate names spelled with escapes', '{"a":1,"\\u0061":2}'],
    ['duplicate names in a nested object', '{"x":{"b":1,"b":1}}'],
    ['duplicate names inside an array element', '[{"c":1,"c":2}]'],
    ['duplicate __proto__', '{"__proto__":1,"__proto__":2}'],
    ['duplicate names after a string with an escaped quote and a colon', '{"x":"\\":","a":1,"a":2}'],
    ['duplicate names after an escaped backslash', '{"x\\\\":1,"a":1,"a":1}'],
  ])('refuses %s', (_what, text) => {
    expect(() => parseStrictJson(text)).toThrow(StrictJsonError);
  });

  it.each([
    ['empty input', ''],
    ['trailing comma', '{"a":1,}'],
    ['single quotes', "{'a':1}"],
    ['unquoted name', '{a:1}'],
    ['leading zero', '{"a":01}'],
    ['bare dot number', '{"a":.5}'],
    ['NaN', '{"a":NaN}'],
    ['raw control character', '{"a":"x\ny"}'],
    ['bad escape', '{"a":"\\x41"}'],
    ['short unicode escape', '{"a":"\\u12"}'],
    ['unterminated string', '{"a":"abc}'],
    ['trailing garbage', '{"a":1}x'],
    ['two values', '{} {}'],
    ['comment', '{"a":1 /* c */}'],
    ['BOM', '\uFEFF{}'],
    ['non-breaking space as whitespace', '{\u00a0"a":1}'],
  ])('refuses %s', (_what, text) => {
    expect(() => parseStrictJson(text)).toThrow(StrictJsonError);
  });

  it('refuses nesting deeper than 32 levels and accepts 32', () => {
    expect(() => parseStrictJson('['.repeat(33) + ']'.repeat(33))).toThrow(StrictJsonError);
    expect(() => parseStrictJson('['.repeat(32) + ']'.repeat(32))).not.toThrow();
  });
});
