/**
 * Reading a JSON body the way Altinn's .NET binder does: property names match
 * case-insensitively (Altinn's own guide writes `metaData`), anything unknown is refused, as is
 * the same property twice. Shared by the parsers of consent request bodies.
 */
import { INVALID_VALUE, REQUIRED, UNKNOWN_FIELD, problem, type ConsentProblem } from './consent-problems.js';

/** The longest free text we store (a metadata value, a request message). */
export const MAX_TEXT = 4000;

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Lower-cased name → canonical name, built once per object shape (not per request). */
export type FieldNames = ReadonlyMap<string, string>;
export const fieldNames = (names: readonly string[]): FieldNames =>
  new Map(names.map((n) => [n.toLowerCase(), n]));

/**
 * The object's properties under their canonical names; unknown or duplicate names become
 * problems. Returns an empty object when `value` is not an object (the caller reports that).
 */
export function canonical(value: Json, byLower: FieldNames, path: string, problems: ConsentProblem[]): Json {
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    const name = byLower.get(key.toLowerCase());
    if (!name) {
      problems.push(
        problem(UNKNOWN_FIELD, `${path}/${key}`, `Unknown field '${key}'.`, `Unknown field ${path}/${key}`),
      );
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(out, name)) {
      problems.push(
        problem(
          INVALID_VALUE,
          `${path}/${name}`,
          `The field '${name}' is given more than once.`,
          'Duplicate field',
        ),
      );
      continue;
    }
    out[name] = v;
  }
  return out;
}

export const required = (path: string, name: string): ConsentProblem =>
  problem(REQUIRED, path, `The field '${name}' is required.`, 'The field is required.');
export const invalid = (path: string, detail: string): ConsentProblem =>
  problem(INVALID_VALUE, path, detail, detail);
