/**
 * Repeated member names in a JSON body (red-team finding RT3-6). JSON.parse keeps the last of
 * `{"accessListMode":"Disabled","accessListMode":"Enabled"}`; a WAF or audit proxy in front of
 * us may keep the first, and then it checked or logged a different request than the one we
 * acted on (a parser differential). RFC 8259 §4 leaves the meaning open, so we refuse the body.
 *
 * Two steps, so a clean body pays almost nothing:
 * 1. Count. In valid JSON text a `:` outside a string only ever follows a member name, so the
 *    text spells that many members, repeats included; the parsed value keeps one key per
 *    distinct name per object. Equal counts: no repeat (names are compared after unescaping, as
 *    JSON.parse compares them, so "a" and "\u0061" collide).
 * 2. Only when the counts differ: find where, with `jsonc-parser` (Microsoft's, VS Code's JSON
 *    parser) walking the text, so the 400 names each repeated member by its path.
 *
 * Cost on a 100 kB body (about 490 resource-like objects; `scripts/json-duplicates-cost.mjs`, Node 20,
 * this 2-core machine, two runs): JSON.parse 0.36 ms; Fastify's parser (JSON.parse and
 * secure-json-parse's prototype scan, what every body paid before) 0.39–0.43 ms; with step 1
 * 0.51–0.59 ms, so +0.12–0.16 ms (about a third of the parse); a body with a repeat, found and
 * located (step 2), 1.6–1.8 ms.
 */
import { visit } from 'jsonc-parser';
import { childPath } from './text-sanitiser.js';

/** True when the quote at `at` is escaped (an odd run of backslashes before it). */
function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  for (let i = at - 1; text.charCodeAt(i) === 0x5c; i--) backslashes++;
  return backslashes % 2 === 1;
}

/**
 * Name/value separators in *valid* JSON text (parse it first): the number of members the text
 * spells, repeated names included.
 */
export function countMemberSeparators(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a /* : */) n++;
    else if (c === 0x22 /* " */) {
      let end = i;
      do end = text.indexOf('"', end + 1);
      while (isEscaped(text, end));
      i = end;
    }
  }
  return n;
}

/**
 * Own members of every object in a parsed value, at every depth. Iterative (the depth limit is
 * the caller's). JSON.parse makes every member an own property (`__proto__` included), and only
 * own members count, so a property added to Object.prototype cannot hide a repeat.
 */
export function countParsedMembers(value: unknown): number {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const item of v) if (typeof item === 'object' && item !== null) stack.push(item);
      continue;
    }
    const obj = v as Record<string, unknown>;
    for (const k in obj) {
      if (!Object.hasOwn(obj, k)) continue;
      n++;
      const child = obj[k];
      if (typeof child === 'object' && child !== null) stack.push(child);
    }
  }
  return n;
}

/** Where repeated names are, as `$.a.b[2].c` paths (the second and later occurrences), in text order. */
function locateRepeats(text: string): string[] {
  const found: string[] = [];
  const open: Set<string>[] = [];
  visit(text, {
    onObjectBegin: () => {
      open.push(new Set());
    },
    onObjectEnd: () => {
      open.pop();
    },
    onObjectProperty: (name, _offset, _length, _line, _column, pathOf) => {
      const names = open[open.length - 1];
      if (!names.has(name)) {
        names.add(name);
        return;
      }
      const path = [...pathOf(), name].reduce<string>((p, key) => childPath(p, key), '$');
      if (!found.includes(path)) found.push(path);
    },
  });
  return found;
}

/**
 * Paths of the repeated member names in `text`, which `value` was parsed from (JSON.parse or
 * Fastify's parser); empty when no object repeats a name.
 */
export function repeatedMemberPaths(text: string, value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  if (countMemberSeparators(text) === countParsedMembers(value)) return [];
  return locateRepeats(text);
}
