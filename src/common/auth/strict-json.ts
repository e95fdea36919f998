/**
 * JSON.parse silently keeps the last of duplicate member names, so `{"iss":"a","iss":"b"}` could
 * mean different things to us and to another parser that keeps the first (a classic token
 * smuggling trick). This parser keeps RFC 8259 grammar (JSON.parse) and refuses any object with a
 * repeated member name (compared after unescaping, so "a" and "\u0061" collide), at any depth.
 */
import { countMemberSeparators } from '../http/json-duplicates.js';

export class StrictJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrictJsonError';
  }
}

/** Objects/arrays nested deeper than this are refused (real tokens nest about 6 deep). */
const MAX_DEPTH = 32;

/**
 * Member names in the parsed value, at every depth; throws past MAX_DEPTH. JSON.parse creates
 * every member as an own property (`__proto__` included), so for…in sees them all.
 */
function countMembers(value: unknown, depth: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (depth >= MAX_DEPTH) throw new StrictJsonError('invalid JSON: nesting too deep');
  let n = 0;
  if (Array.isArray(value)) {
    for (const v of value) n += countMembers(v, depth + 1);
    return n;
  }
  // for…in rather than Object.keys: no array per object. Only own members count, so a property
  // someone added to Object.prototype cannot make a duplicate go unnoticed.
  const obj = value as Record<string, unknown>;
  for (const k in obj) if (Object.hasOwn(obj, k)) n += 1 + countMembers(obj[k], depth + 1);
  return n;
}

/**
 * JSON.parse (RFC 8259 grammar, natively) after which duplicate member names are detected by
 * counting: the text spells one `:` per member, the parsed value keeps one key per distinct name
 * per object, so any difference is a repeated name (also one spelled with escapes: "a" and
 * "\u0061" decode to the same key). This replaced a hand-written validating scanner that cost
 * several times more on every new token at the gateway.
 */
export function parseStrictJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new StrictJsonError(`invalid JSON: ${(e as Error).message}`);
  }
  const members = countMembers(value, 0);
  if (countMemberSeparators(text) !== members)
    throw new StrictJsonError('invalid JSON: duplicate member name');
  return value;
}

/** Throws StrictJsonError on bad grammar, nesting deeper than 32 or a duplicate member name. */
export function assertStrictJson(text: string): void {
  parseStrictJson(text);
}

export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
