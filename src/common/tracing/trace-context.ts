/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) for one request: the trace it belongs
 * to, and the span this server opens for it. Parsed strictly, as the recommendation requires of
 * a receiver: a `traceparent` that is invalid in any way starts a new trace (and its `tracestate`
 * is dropped with it); an invalid `tracestate` alone is dropped. The context is computed once per
 * request and kept on the raw Node request, so the gateway (which runs ahead of Fastify), the
 * problem bodies and the request log all quote the same ids.
 */
import { randomFillSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface TraceContext {
  /** 32 lowercase hex digits, never all zero. */
  readonly traceId: string;
  /** This server's span for the request: 16 lowercase hex digits, never all zero. */
  readonly spanId: string;
  /** The caller's span (the `parent-id` of its `traceparent`), when it sent a valid one. */
  readonly parentSpanId?: string;
  readonly sampled: boolean;
  /** The caller's vendor entries, validated and normalised; passed on unchanged. */
  readonly tracestate?: string;
}

const HEX = /^[0-9a-f]+$/;
const ZEROS_32 = '0'.repeat(32);
const ZEROS_16 = '0'.repeat(16);

/**
 * The parts of a `traceparent` value, or null when it is not valid (§3.2 and §4.3 of the
 * recommendation): version `00` is exactly 55 characters; a higher version (not `ff`) is parsed
 * as `00` up to its 55th character and may continue only after a `-`; all hex is lowercase; the
 * trace id and parent id are not all zero.
 */
export function parseTraceparent(
  value: string | string[] | undefined,
): { traceId: string; parentId: string; sampled: boolean } | null {
  // Two traceparent headers (Node joins them with ", ") are as invalid as a malformed one.
  if (typeof value !== 'string' || value.length < 55) return null;
  const version = value.slice(0, 2);
  if (!HEX.test(version) || version === 'ff') return null;
  if (version === '00' ? value.length !== 55 : value.length > 55 && value[55] !== '-') return null;
  if (value[2] !== '-' || value[35] !== '-' || value[52] !== '-') return null;
  const traceId = value.slice(3, 35);
  const parentId = value.slice(36, 52);
  const flags = value.slice(53, 55);
  if (!HEX.test(traceId) || !HEX.test(parentId) || !HEX.test(flags)) return null;
  if (traceId === ZEROS_32 || parentId === ZEROS_16) return null;
  return { traceId, parentId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

const SIMPLE_KEY = /^[a-z][a-z0-9_\-*/]{0,255}$/;
const TENANT_KEY = /^[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13}$/;
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MAX_MEMBERS = 32;

/**
 * A `tracestate` as a normalised list (`key=value,key=value`), or undefined when it is absent,
 * empty or invalid (§3.3): at most 32 members, keys and values of the recommendation's grammar,
 * no key twice. Several `tracestate` headers arrive joined by Node with ", ", which is the same
 * list.
 */
export function parseTracestate(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const joined = Array.isArray(value) ? value.join(',') : value;
  if (joined.length > 8192) return undefined;
  const members: string[] = [];
  const keys = new Set<string>();
  for (const raw of joined.split(',')) {
    const member = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (member === '') continue;
    const eq = member.indexOf('=');
    if (eq <= 0) return undefined;
    const key = member.slice(0, eq);
    const val = member.slice(eq + 1);
    if (!(SIMPLE_KEY.test(key) || TENANT_KEY.test(key)) || !VALUE.test(val) || keys.has(key))
      return undefined;
    keys.add(key);
    members.push(member);
  }
  if (members.length === 0 || members.length > MAX_MEMBERS) return undefined;
  return members.join(',');
}

// Random ids from a pooled buffer: one randomFillSync per 256 ids instead of one per request.
const POOL = Buffer.alloc(4096);
let poolOffset = POOL.length;

function randomHex(bytes: number): string {
  for (;;) {
    if (poolOffset + bytes > POOL.length) {
      randomFillSync(POOL);
      poolOffset = 0;
    }
    const hex = POOL.toString('hex', poolOffset, poolOffset + bytes);
    poolOffset += bytes;
    if (!/^0+$/.test(hex)) return hex; // all zero is invalid (and astronomically rare)
  }
}

/** A new span id (16 hex digits). */
export function newSpanId(): string {
  return randomHex(8);
}

/** A new trace id (32 hex digits). */
export function newTraceId(): string {
  return randomHex(16);
}

/** The context of a request with these headers: the caller's trace when valid, else a new one. */
export function traceContextFromHeaders(headers: IncomingMessage['headers']): TraceContext {
  const parent = parseTraceparent(headers.traceparent);
  if (parent) {
    const tracestate = parseTracestate(headers.tracestate);
    return {
      traceId: parent.traceId,
      spanId: newSpanId(),
      parentSpanId: parent.parentId,
      sampled: parent.sampled,
      ...(tracestate !== undefined ? { tracestate } : {}),
    };
  }
  // No (valid) trace: a caller's request id that is already a trace id joins the two.
  const requestId = headers['x-request-id'];
  const traceId =
    typeof requestId === 'string' && /^[0-9a-f]{32}$/.test(requestId) && requestId !== ZEROS_32
      ? requestId
      : newTraceId();
  return { traceId, spanId: newSpanId(), sampled: true };
}

/** `traceparent` for `span` (this server's own by default) in the context's trace. */
export function formatTraceparent(ctx: TraceContext, span: string = ctx.spanId): string {
  return `00-${ctx.traceId}-${span}-${ctx.sampled ? '01' : '00'}`;
}

const kTrace = Symbol('consentgw.traceContext');
type Traced = IncomingMessage & { [kTrace]?: TraceContext };

/** The request's trace context, computed on first use and the same for the rest of the request. */
export function traceContextOf(req: IncomingMessage): TraceContext {
  const r = req as Traced;
  return (r[kTrace] ??= traceContextFromHeaders(req.headers));
}
