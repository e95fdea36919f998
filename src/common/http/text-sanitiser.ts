/**
 * Text the database cannot store, refused once for every body (DESIGN §11 "text").
 *
 * PostgreSQL refuses U+0000 in `text` and `jsonb` (22021 / 22P05), and an unpaired UTF-16
 * surrogate (`"\ud800"`) cannot be encoded as UTF-8 at all (22P02 via jsonb): left to the
 * database either would surface as a 500 halfway through a request. JSON can carry both (as
 * `\u0000` / `\ud800` escapes), so every parsed body is searched, at any depth, keys included,
 * and refused with one 400 naming every offending field, before any handler runs.
 */
import { DomainError, type ValidationProblem } from '../errors/domain-error.js';
import { INVALID_VALUE } from '../errors/validation-errors.js';

/** U+0000, or a high surrogate not followed by a low one, or a low one not preceded by a high one. */
// eslint-disable-next-line no-control-regex -- finding U+0000 is the point
const BAD_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isBadText(s: string): boolean {
  return BAD_TEXT.test(s);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `$.a`, `$[0]`, or `$["odd key"]` (JSON-escaped, so a NUL in a key shows as `\u0000`). */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * JSON paths (`$.a.b[2]`) of every string, key or value, holding text that cannot be stored, in
 * document order. Iterative: JSON.parse accepts nesting far deeper than a recursive walk could go.
 */
export function findBadText(value: unknown): string[] {
  const out: string[] = [];
  const stack: Array<[unknown, string]> = [[value, '$']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (isBadText(v)) out.push(path);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], childPath(path, i)]);
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const at = childPath(path, keys[i]);
        stack.push([(v as Record<string, unknown>)[keys[i]], at]);
        // The key is reported before its value: pushed last, popped first.
        if (isBadText(keys[i])) stack.push([keys[i], at]);
      }
    }
  }
  return out;
}

export const BAD_TEXT_TITLE = 'Text must not contain U+0000 or an unpaired UTF-16 surrogate.';

/** The 400 for `paths` (at most 100 listed: the body may repeat the problem thousands of times). */
export function badTextError(paths: string[]): DomainError {
  const problems: ValidationProblem[] = paths
    .slice(0, 100)
    .map((p) => ({ code: INVALID_VALUE, title: BAD_TEXT_TITLE, paths: [p] }));
  return DomainError.validation(problems);
}
