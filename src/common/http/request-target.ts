/**
 * Request-target hygiene (DESIGN §4.9, §10 "request-target hygiene runs first, server-wide").
 *
 * Node hands the request target to us exactly as the client sent it, and Fastify's router
 * happily routes an absolute-form target (`GET http://evil/proxy/x`) or a path with `..` in it.
 * A proxy that forwards such a path lets the client address upstream paths outside the
 * registered prefix, or smuggle a different meaning past a normalising upstream. So every
 * request is checked once, before routing decisions matter, and refused with 400 GW-00002:
 *
 * - only origin-form (`/path?query`): no absolute-form, authority-form or `*`;
 * - at most 4096 characters;
 * - no empty path segment (`//host/...`, `/proxy//inntekt`);
 * - no `.` or `..` segment, also when percent-encoded once or several times (`%2e%2e`,
 *   `%252e%252e`, `..%2f`, `%5c`), no backslash, NUL or control character in the path;
 * - no NUL or control character anywhere, no malformed percent-encoding, and a path whose
 *   percent-encoded bytes are UTF-8 (overlong forms such as `%c0%af` are refused).
 *
 * The query string may legitimately contain `..`, `/` or `\` in values, so only NUL/control
 * characters are refused there.
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error.js';
import { sendProblem } from '../errors/problem-details.filter.js';

export const MAX_REQUEST_TARGET_LENGTH = 4096;
/** DESIGN §10: bad request target. */
export const BAD_REQUEST_TARGET_CODE = 'GW-00002';

export type RequestTargetProblem =
  | 'not-origin-form'
  | 'too-long'
  | 'empty-segment'
  | 'dot-segment'
  | 'backslash'
  | 'control-character'
  | 'bad-encoding'
  | 'not-utf8';

const DETAILS: Record<RequestTargetProblem, string> = {
  'not-origin-form':
    'The request target must be a path (origin-form); absolute-form and authority-form targets are refused.',
  'too-long': `The request target is longer than ${MAX_REQUEST_TARGET_LENGTH} characters.`,
  'empty-segment': 'The request path contains an empty segment ("//").',
  'dot-segment': 'The request path contains a "." or ".." segment (also when percent-encoded).',
  backslash: 'The request path contains a backslash (also when percent-encoded).',
  'control-character': 'The request target contains a NUL or control character (also when percent-encoded).',
  'bad-encoding': 'The request target contains a malformed percent-encoding.',
  'not-utf8': 'The request path contains a percent-encoding that does not decode to UTF-8 text.',
};

/** Anything in a path that needs the careful check (encodings, dots after a slash, `//`, `\\`, controls, `#`). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const PATH_NEEDS_CARE = /[%\\#\x00-\x1f\x7f]|\/\.|\/\//;
/** Anything in a query that needs the careful check (encodings, controls). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const QUERY_NEEDS_CARE = /[%\x00-\x1f\x7f]/;

/** Decoding rounds before a still-encoded target is judged deliberately obfuscated. */
const MAX_DECODE_ROUNDS = 4;

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * One round of percent-decoding to bytes-as-characters (latin1), so invalid UTF-8 is not an
 * error here (only the structure matters). Returns null on a malformed escape.
 */
function percentDecode(s: string): string | null {
  let out = '';
  let last = 0;
  for (let i = s.indexOf('%'); i !== -1; i = s.indexOf('%', i)) {
    const h = s.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(h)) return null;
    out += s.slice(last, i) + String.fromCharCode(parseInt(h, 16));
    i += 3;
    last = i;
  }
  return out + s.slice(last);
}

/** Structural checks on one (possibly decoded) form of the path. */
function checkPathForm(path: string): RequestTargetProblem | null {
  if (path.includes('\\')) return 'backslash';
  if (hasControl(path)) return 'control-character';
  const segments = path.split('/');
  // segments[0] is the empty string before the leading slash; a trailing slash is allowed.
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i];
    if (seg === '.' || seg === '..') return 'dot-segment';
    if (seg === '' && i < segments.length - 1) return 'empty-segment';
  }
  return null;
}

/** Null when the raw request target is acceptable, else why not. Pure; safe to call per request. */
export function checkRequestTarget(target: unknown): RequestTargetProblem | null {
  if (typeof target !== 'string' || target.length === 0) return 'not-origin-form';
  if (target.length > MAX_REQUEST_TARGET_LENGTH) return 'too-long';
  if (target.charCodeAt(0) !== 0x2f /* / */) return 'not-origin-form';
  if (target.length > 1 && target.charCodeAt(1) === 0x2f) return 'empty-segment'; // `//host/...`

  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);

  // Fast path (one scan): nothing encoded, nothing that could form a dot or empty segment.
  if (PATH_NEEDS_CARE.test(path)) {
    if (path.includes('#')) return 'not-origin-form';
    let form = path;
    for (let round = 0; ; round++) {
      const problem = checkPathForm(form);
      if (problem) return problem;
      if (!form.includes('%')) break;
      if (round === MAX_DECODE_ROUNDS) return 'bad-encoding';
      const decoded = percentDecode(form);
      if (decoded === null) return 'bad-encoding';
      // Overlong or otherwise invalid UTF-8 (`%c0%af` is "/" to a lenient decoder) never reaches
      // an upstream; Fastify refuses such paths on every other route too.
      if (!isUtf8(Buffer.from(decoded, 'latin1'))) return 'not-utf8';
      if (decoded === form) break;
      form = decoded;
    }
  }

  if (q !== -1 && QUERY_NEEDS_CARE.test(target.slice(q + 1))) {
    const query = target.slice(q + 1);
    if (hasControl(query)) return 'control-character';
    const decoded = percentDecode(query);
    if (decoded === null) return 'bad-encoding';
    if (hasControl(decoded.replace(/[\t\n\r]/g, ''))) return 'control-character';
  }
  return null;
}

export function badRequestTargetError(problem: RequestTargetProblem): DomainError {
  return new DomainError(400, BAD_REQUEST_TARGET_CODE, DETAILS[problem], { title: 'Bad Request' });
}

/**
 * Refuses bad request targets for every route (and for unknown paths) before any handler runs.
 * Call once, on the root instance, before routes and plugins are registered.
 */
export function installRequestTargetGuard(fastify: FastifyInstance): void {
  fastify.addHook(
    'onRequest',
    (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
      const problem = checkRequestTarget(request.raw.url);
      if (problem === null) {
        done();
        return;
      }
      // The connection may carry more requests whose framing we no longer trust.
      void reply.header('connection', 'close');
      sendProblem(reply, request, badRequestTargetError(problem));
    },
  );
}

/**
 * Fastify's `frameworkErrors`: its router refuses some targets before any hook runs (a path
 * whose percent-encoding does not decode as UTF-8, a route parameter over `maxParamLength`), and
 * would answer those in its own JSON shape. They get our problem+json like every other refusal:
 * the guard's finding when it has one, else "not UTF-8" (400 GW-00002), or 414 for a segment
 * that is too long.
 */
export function frameworkErrorHandler(
  error: { code?: string; statusCode?: number },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  void reply.header('connection', 'close');
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    sendProblem(
      reply,
      request,
      new DomainError(414, 'STD-00414', 'A path segment of the request target is too long.', {
        title: 'URI Too Long',
      }),
    );
    return;
  }
  const problem = checkRequestTarget(request.raw.url) ?? 'not-utf8';
  sendProblem(reply, request, badRequestTargetError(problem));
}
