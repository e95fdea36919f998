/**
 * How deep a JSON text nests, without parsing it and without recursion. Deeply nested bodies
 * are refused before anything walks them recursively: class-transformer's plainToInstance
 * overflowed the stack on `{"name":[[[[…]]]]}` 200 000 levels deep, after 2.7 s of CPU, and
 * answered 500 (red-team finding RT-10).
 */

/** Deeper JSON bodies are refused (every API body nests fewer than 8 levels). */
export const MAX_JSON_DEPTH = 32;

/** True when `text` opens more than `max` arrays/objects at once (brackets inside strings ignored). */
export function jsonNestsDeeperThan(text: string, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > max) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
}
