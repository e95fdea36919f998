/**
 * Members named like `Object.prototype`'s own (`constructor`, `toString`, `__proto__`…), at any
 * depth. class-validator's whitelist looks names up through the prototype chain, so they passed
 * as known fields, and class-transformer failed on `constructor` with a 500 (red team). No DTO
 * has such a field, and no map (metadata, texts) may use one as a key.
 */
import type { ValidationProblem } from '../errors/domain-error.js';
import { UNKNOWN_FIELD } from '../errors/validation-errors.js';

const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** One "unknown field" problem per such member of `value` (a parsed JSON body), with its path. */
export function prototypeNamedMembers(value: object): ValidationProblem[] {
  return collect(value, '$', []).map((path) => ({
    code: UNKNOWN_FIELD,
    title: `Unknown field ${path}`,
    paths: [path],
  }));
}

function collect(value: object, path: string, found: string[]): string[] {
  const list = Array.isArray(value);
  for (const key of Object.keys(value)) {
    const at = list
      ? `${path}[${key}]`
      : /^[A-Za-z_$][\w$]*$/.test(key)
        ? `${path}.${key}`
        : `${path}[${JSON.stringify(key)}]`;
    if (!list && PROTOTYPE_NAMES.has(key)) found.push(at);
    const child = (value as Record<string, unknown>)[key];
    if (typeof child === 'object' && child !== null) collect(child, at, found);
  }
  return found;
}
