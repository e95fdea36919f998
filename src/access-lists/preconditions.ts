/**
 * HTTP conditional requests for access lists (RFC 9110 §13), evaluated the way Altinn's
 * resource registry does it, so a client written against Altinn sees the same 304/412s:
 *
 * - `If-Match` (`*` or entity tags) — fails (412) when the list is absent or its version differs.
 *   Only when it is absent is `If-Unmodified-Since` looked at.
 * - `If-None-Match` (`*` or entity tags) — on a match a read answers 304 and a write 412.
 *   Only when it is absent is `If-Modified-Since` looked at (Altinn applies it to writes too: 412).
 * - Dates compare at whole seconds (HTTP-date precision); an unparsable date is ignored.
 *
 * The entity tag is the list version: `W/"<version>"`. Weak and strong forms are both accepted on
 * input (Altinn refuses strong ones; accepting them costs nothing and helps hand-written clients).
 */
export interface VersionedState {
  version: number;
  updatedAt: Date;
}

export interface RequestConditions {
  ifMatch?: '*' | number[];
  ifNoneMatch?: '*' | number[];
  ifModifiedSince?: Date;
  ifUnmodifiedSince?: Date;
}

export type ConditionOutcome = 'proceed' | 'not-modified' | 'failed';

export class MalformedConditionError extends Error {
  constructor(readonly header: string) {
    super(`malformed ${header}`);
  }
}

type HeaderValue = string | string[] | undefined;

export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/** `Last-Modified` value: the HTTP-date (whole seconds) of `updatedAt`. */
export function lastModifiedOf(updatedAt: Date): string {
  return updatedAt.toUTCString();
}

const ETAG = /^(?:W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;

/**
 * `*` or the versions named by an entity-tag list. Tags that are well-formed but not one of our
 * versions (e.g. from another server) are kept as NaN, which never matches.
 */
function parseEtagList(header: string, raw: HeaderValue): '*' | number[] | undefined {
  if (raw === undefined) return undefined;
  const joined = (Array.isArray(raw) ? raw.join(',') : raw).trim();
  if (joined === '') return undefined;
  if (joined === '*') return '*';
  const out: number[] = [];
  for (const part of joined.split(',')) {
    const tag = part.trim();
    if (tag === '') continue; // RFC 9110 list syntax tolerates empty elements
    const m = ETAG.exec(tag);
    if (!m) throw new MalformedConditionError(header);
    out.push(/^[0-9]{1,15}$/.test(m[1]) ? Number(m[1]) : Number.NaN);
  }
  if (out.length === 0) return undefined;
  return out;
}

function parseHttpDate(raw: HeaderValue): Date | undefined {
  // Several values or an unparsable one: the header is ignored (RFC 9110 §13.1.3/§13.1.4).
  if (raw === undefined || Array.isArray(raw)) return undefined;
  const t = Date.parse(raw);
  return Number.isFinite(t) ? new Date(t) : undefined;
}

/** Reads the four condition headers; throws MalformedConditionError for a broken entity-tag list. */
export function parseConditions(headers: Record<string, HeaderValue>): RequestConditions {
  const c: RequestConditions = {};
  const ifMatch = parseEtagList('If-Match', headers['if-match']);
  if (ifMatch !== undefined) c.ifMatch = ifMatch;
  else {
    const d = parseHttpDate(headers['if-unmodified-since']);
    if (d) c.ifUnmodifiedSince = d;
  }
  const ifNoneMatch = parseEtagList('If-None-Match', headers['if-none-match']);
  if (ifNoneMatch !== undefined) c.ifNoneMatch = ifNoneMatch;
  else {
    const d = parseHttpDate(headers['if-modified-since']);
    if (d) c.ifModifiedSince = d;
  }
  return c;
}

export function hasConditions(c: RequestConditions): boolean {
  return (
    c.ifMatch !== undefined || c.ifNoneMatch !== undefined || !!c.ifModifiedSince || !!c.ifUnmodifiedSince
  );
}

/** True when the state changed after `date` (compared at HTTP-date precision). */
function modifiedSince(state: VersionedState, date: Date): boolean {
  return Math.floor(state.updatedAt.getTime() / 1000) > Math.floor(date.getTime() / 1000);
}

/**
 * Evaluates the conditions against the current state (`null` = the list does not exist).
 * Creating a list is allowed unless `If-Match` is present (it needs an existing list).
 */
export function evaluateConditions(
  c: RequestConditions,
  state: VersionedState | null,
  isRead: boolean,
): ConditionOutcome {
  if (c.ifMatch !== undefined) {
    if (!state) return 'failed';
    if (c.ifMatch !== '*' && !c.ifMatch.includes(state.version)) return 'failed';
  } else if (c.ifUnmodifiedSince && state && modifiedSince(state, c.ifUnmodifiedSince)) {
    return 'failed';
  }

  if (c.ifNoneMatch !== undefined) {
    const matches = !!state && (c.ifNoneMatch === '*' || c.ifNoneMatch.includes(state.version));
    if (matches) return isRead ? 'not-modified' : 'failed';
  } else if (c.ifModifiedSince && state && !modifiedSince(state, c.ifModifiedSince)) {
    return isRead ? 'not-modified' : 'failed';
  }
  return 'proceed';
}
