/**
 * Query parameter names as the frameworks behind a proxy read them. They disagree: most decode
 * the name once, PHP and CGI-era parsers turn `.`, space and `[` into `_` (and `a[]` into an
 * array under `a`), ASP.NET compares names case-insensitively, and older Perl/Python parsers
 * also split on `;`. A name is "the same parameter" as another when their folded forms are
 * equal, so a check on one spelling cannot be sidestepped by sending another.
 */

/** Rounds of percent-decoding applied to a name (a double-decoding framework sees through two). */
const NAME_DECODE_ROUNDS = 3;

function decodeOnce(s: string): string {
  // Lenient like the frameworks: `+` is a space, an invalid escape stays as it is.
  const spaced = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced.replace(/%([0-9a-fA-F]{2})/g, (m, h: string) => {
      const c = parseInt(h, 16);
      return c < 0x80 ? String.fromCharCode(c) : m;
    });
  }
}

/**
 * The folded form of a raw (still encoded) parameter name: decoded, leading and trailing
 * whitespace cut, case-folded, any `[…]` suffix dropped, and every character that is not a
 * letter or digit turned into `_`.
 *
 * Leading whitespace: PHP skips leading spaces in a name, so `?+subject=B` (or `%20subject`) is
 * `$_GET['subject']` and, coming last, replaces the `subject=A` the gateway checked.
 * Case: ASP.NET and Java compare names ignoring case per character in both directions, where
 * `ı` (dotless i) and `ſ` (long s) upper-case to `I` and `S`; upper- then lower-casing maps
 * them onto `i` and `s` as well (the Kelvin sign `K` lower-cases to `k` either way).
 */
export function foldParamName(raw: string): string {
  return foldParamNames(raw)[0];
}

const canonical = (name: string) =>
  name
    .toUpperCase()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '_');

/**
 * Every folded name a framework may file the raw name under: with a `[`, both the array base
 * (`a[x]` → `a` for PHP, Rack, qs) and the name with the bracket as `_` (PHP files an unmatched
 * `person[id` under `person_id`: red-team finding RT-1b). The first is foldParamName's.
 */
export function foldParamNames(raw: string): string[] {
  let name = raw;
  for (let i = 0; i < NAME_DECODE_ROUNDS && (name.includes('%') || name.includes('+')); i++) {
    const next = decodeOnce(name);
    if (next === name) break;
    name = next;
  }
  name = name.trim();
  const whole = canonical(name);
  const bracket = name.indexOf('[');
  if (bracket <= 0) return [whole];
  const base = canonical(name.slice(0, bracket));
  return base === whole ? [base] : [base, whole];
}

/** Whether some framework reads the raw name as the parameter whose folded name is `folded`. */
export function foldsOnto(raw: string, folded: string): boolean {
  return foldParamNames(raw).includes(folded);
}

/** The raw names of a raw query string (without `?`), split on `&` and `;`. */
export function rawParamNames(query: string): string[] {
  const names: string[] = [];
  for (const part of query.split(/[&;]/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    names.push(eq === -1 ? part : part.slice(0, eq));
  }
  return names;
}

/** The raw names in `query` that fold onto `folded` (see foldParamName). */
export function paramsFoldingOnto(query: string, folded: string): string[] {
  return rawParamNames(query).filter((n) => foldsOnto(n, folded));
}
