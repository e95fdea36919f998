/**
 * Small reference interpreters of how the servers behind a gateway read a request: written from
 * each family's documented behaviour, independently of the gateway's own checks, so that
 * property tests can ask "does every upstream read what the gateway forwarded the way the
 * gateway did?" (DESIGN §11; docs/security.md lists what they found).
 *
 * Paths: each interpreter turns a raw path into the segments it finally serves, each tagged with
 * the raw segment it came from (its provenance). A path keeps its meaning under an interpreter
 * when the provenance is exactly 0, 1, …, n-1: no raw segment split in two, merged, dropped or
 * climbed out of. Names may be canonicalised (`a;v=1` → `a`, `file.` → `file`); that is an alias.
 *
 * Headers: how CGI-style frameworks (CGI, WSGI, Rack, PHP) name the variable a header becomes.
 */

export interface Reading {
  names: string[];
  provenance: number[];
}
/** The server refuses the request (400/404): nothing is served, so nothing can be misread. */
export const REFUSED = 'refused' as const;
export type PathReading = Reading | typeof REFUSED;

interface Part {
  name: string;
  from: number;
}

/** RFC 3986 §3.3 segments of a path (without its query), before any decoding. */
export function rawSegments(path: string): string[] {
  return path.split('/').slice(1);
}

/** One strict UTF-8 percent-decoding (like decodeURIComponent); null when malformed or not UTF-8. */
function strictDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** One lenient decoding: valid escapes become bytes, anything else stays; bytes read as UTF-8 (U+FFFD for junk). */
function lenientDecode(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(s[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * A decoder from before RFC 3629 (IIS 4/5, early Java and PHP): overlong two-byte forms are read
 * as the ASCII character they encode (`%c0%ae` = ".", `%c0%af` = "/"), other bytes as latin1.
 */
function legacyUtf8Decode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const m = /^%([0-9a-fA-F]{2})(?:%([0-9a-fA-F]{2}))?/.exec(s.slice(i));
    if (!m) {
      out += s[i];
      continue;
    }
    const b1 = parseInt(m[1], 16);
    const b2 = m[2] === undefined ? -1 : parseInt(m[2], 16);
    if ((b1 === 0xc0 || b1 === 0xc1) && b2 >= 0x80 && b2 <= 0xbf) {
      out += String.fromCharCode(((b1 & 0x1f) << 6) | (b2 & 0x3f));
      i += 5;
    } else {
      out += String.fromCharCode(b1);
      i += 2;
    }
  }
  return out;
}

/** Dot-segment removal (RFC 3986 §5.2.4) over tagged parts, with empty segments merged. */
function resolve(parts: Part[], windowsTrim = false): PathReading {
  const out: Part[] = [];
  parts.forEach((p, i) => {
    let name = p.name;
    if (windowsTrim && name !== '' && name !== '.' && name !== '..') {
      const trimmed = name.replace(/[. ]+$/, '');
      // Windows: trailing dots and spaces go; a name of only dots and spaces is `.` or `..`.
      name = trimmed !== '' ? trimmed : name.startsWith('..') ? '..' : '.';
    }
    const last = i === parts.length - 1;
    if (name === '' && !last) return; // `//` merged (nginx merge_slashes, Tomcat normalize)
    if (name === '.') return;
    if (name === '..') {
      out.pop();
      return;
    }
    out.push({ name, from: p.from });
  });
  // Climbing above the root is refused by every server modelled here; a pop on an empty stack
  // still shows up as lost provenance below.
  return { names: out.map((p) => p.name), provenance: out.map((p) => p.from) };
}

function split(parts: Part[], separators: RegExp): Part[] {
  return parts.flatMap((p) => p.name.split(separators).map((name) => ({ name, from: p.from })));
}

function tag(path: string): Part[] {
  return rawSegments(path).map((name, from) => ({ name, from }));
}

export const interpreters: Record<string, (path: string) => PathReading> = {
  /** nginx and RFC 3986 readers: decode once (strict), then split, merge `//`, remove dot segments. */
  rfc3986(path) {
    const parts: Part[] = [];
    for (const p of tag(path)) {
      const name = strictDecode(p.name);
      if (name === null) return REFUSED;
      parts.push({ name, from: p.from });
    }
    return resolve(split(parts, /\//));
  },

  /** Tomcat defaults: `;params` stripped from the raw segment, then decoded; `%2F` and `\` refused. */
  servletStrict(path) {
    const parts: Part[] = [];
    for (const p of tag(path)) {
      const semi = p.name.indexOf(';');
      const name = strictDecode(semi === -1 ? p.name : p.name.slice(0, semi));
      if (name === null || name.includes('/') || name.includes('\\') || name.includes('\0')) return REFUSED;
      parts.push({ name, from: p.from });
    }
    return resolve(parts);
  },

  /** Lenient containers (older Jetty, Spring's UrlPathHelper): decode first, then split and strip `;params`. */
  servletLenient(path) {
    const decoded = tag(path).map((p) => ({ name: lenientDecode(p.name), from: p.from }));
    const parts = split(decoded, /\//).map((p) => {
      const semi = p.name.indexOf(';');
      return { name: semi === -1 ? p.name : p.name.slice(0, semi), from: p.from };
    });
    return resolve(parts);
  },

  /** IIS with double escaping allowed: two decodings, `\` is a separator, Windows trims names. */
  iis(path) {
    const decoded = tag(path).map((p) => ({ name: lenientDecode(lenientDecode(p.name)), from: p.from }));
    return resolve(split(decoded, /[/\\]/), true);
  },

  /** A server that decodes until nothing changes (three rounds here), then resolves. */
  doubleDecoding(path) {
    const decoded = tag(path).map((p) => {
      let name = p.name;
      for (let i = 0; i < 3; i++) name = lenientDecode(name);
      return { name, from: p.from };
    });
    return resolve(split(decoded, /\//));
  },

  /** A pre-RFC 3629 decoder (the IIS "Unicode" traversal of 2000): overlong forms are ASCII. */
  legacyUtf8(path) {
    const decoded = tag(path).map((p) => ({ name: legacyUtf8Decode(p.name), from: p.from }));
    return resolve(split(decoded, /[/\\]/));
  },

  /** A server that applies Unicode NFKC to the decoded path before routing (`．．` → `..`). */
  nfkc(path) {
    const parts: Part[] = [];
    for (const p of tag(path)) {
      const name = strictDecode(p.name);
      if (name === null) return REFUSED;
      parts.push({ name: name.normalize('NFKC'), from: p.from });
    }
    return resolve(split(parts, /[/\\]/));
  },
};

/** True when `reading` serves every raw segment of `path` exactly once, in order (or refuses). */
export function keepsStructure(path: string, reading: PathReading): boolean {
  if (reading === REFUSED) return true;
  const n = rawSegments(path).length;
  return reading.provenance.length === n && reading.provenance.every((from, i) => from === i);
}

/** CGI/1.1 §4.1.18 as CGI, WSGI, Rack and PHP do it: `HTTP_` + uppercase + `-` → `_`. */
export function cgiVariable(headerName: string): string {
  return `HTTP_${headerName.toUpperCase().replace(/-/g, '_')}`;
}

/** The lenient variant some frameworks use: every non-alphanumeric character becomes `_`. */
export function lenientCgiVariable(headerName: string): string {
  return `HTTP_${headerName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The CGI environment a framework builds from a raw `[name, value, …]` header list (all values of a variable). */
export function cgiEnvironment(
  rawHeaders: readonly string[],
  toVariable: (name: string) => string = lenientCgiVariable,
): Map<string, string[]> {
  const env = new Map<string, string[]>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const v = toVariable(rawHeaders[i]);
    env.set(v, [...(env.get(v) ?? []), rawHeaders[i + 1]]);
  }
  return env;
}
