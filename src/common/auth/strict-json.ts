/**
 * JSON.parse silently keeps the last of duplicate member names, so `{"iss":"a","iss":"b"}` could
 * mean different things to us and to another parser that keeps the first (a classic token
 * smuggling trick). This scanner validates RFC 8259 grammar and refuses any object with a
 * repeated member name (compared after unescaping, so "a" and "\u0061" collide), at any depth.
 * It only validates; the value is then built by JSON.parse (safe with `__proto__` keys).
 */
export class StrictJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrictJsonError';
  }
}

/** Objects/arrays nested deeper than this are refused (real tokens nest about 6 deep). */
const MAX_DEPTH = 32;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class Scanner {
  private i = 0;

  constructor(private readonly s: string) {}

  run(): void {
    this.value(0);
    this.ws();
    if (this.i !== this.s.length) this.fail('trailing characters');
  }

  private fail(what: string): never {
    throw new StrictJsonError(`invalid JSON: ${what} at ${this.i}`);
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.i++;
    }
  }

  private value(depth: number): void {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') {
      this.string();
      return;
    }
    if (c === 't') return this.literal('true');
    if (c === 'f') return this.literal('false');
    if (c === 'n') return this.literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    this.fail('unexpected character');
  }

  private literal(word: string): void {
    if (!this.s.startsWith(word, this.i)) this.fail('bad literal');
    this.i += word.length;
  }

  private number(): void {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (!m) this.fail('bad number');
    this.i += m[0].length;
  }

  /** Validates a string; returns its decoded text when `decode` (member names are compared). */
  private string(decode = false): string {
    const s = this.s;
    this.i++; // opening quote
    let out = '';
    let start = this.i;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        if (decode) out += s.slice(start, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail('control character in string');
      if (c === 0x5c) {
        if (decode) out += s.slice(start, this.i);
        const e = s[this.i + 1];
        if (e === 'u') {
          const hex = s.slice(this.i + 2, this.i + 6);
          if (!HEX4.test(hex)) this.fail('bad unicode escape');
          if (decode) out += String.fromCharCode(parseInt(hex, 16));
          this.i += 6;
        } else {
          if (e === undefined || !Object.hasOwn(SIMPLE_ESCAPES, e)) this.fail('bad escape');
          if (decode) out += SIMPLE_ESCAPES[e];
          this.i += 2;
        }
        start = this.i;
        continue;
      }
      this.i++;
    }
    return this.fail('unterminated string');
  }

  private object(depth: number): void {
    if (depth >= MAX_DEPTH) this.fail('nesting too deep');
    this.i++; // {
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return;
    }
    const names = new Set<string>();
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('expected member name');
      const name = this.string(true);
      if (names.has(name)) this.fail('duplicate member name');
      names.add(name);
      this.ws();
      if (this.s[this.i] !== ':') this.fail('expected colon');
      this.i++;
      this.value(depth + 1);
      this.ws();
      const c = this.s[this.i];
      this.i++;
      if (c === '}') return;
      if (c !== ',') this.fail('expected comma or closing brace');
    }
  }

  private array(depth: number): void {
    if (depth >= MAX_DEPTH) this.fail('nesting too deep');
    this.i++; // [
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return;
    }
    for (;;) {
      this.value(depth + 1);
      this.ws();
      const c = this.s[this.i];
      this.i++;
      if (c === ']') return;
      if (c !== ',') this.fail('expected comma or closing bracket');
    }
  }
}

/** Throws StrictJsonError on bad grammar, nesting deeper than 32 or a duplicate member name. */
export function assertStrictJson(text: string): void {
  new Scanner(text).run();
}

/** JSON.parse after the strict checks above. */
export function parseStrictJson(text: string): unknown {
  assertStrictJson(text);
  return JSON.parse(text) as unknown;
}

export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
