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

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
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
  const m = TRACEPARENT.exec(value.length === 55 ? value : value.slice(0, 55));
  if (!m) return null;
  const version = m[1];
  if (version === 'ff') return null;
  if (version === '00' ? value.length !== 55 : value.length > 55 && value[55] !== '-') return null;
  const traceId = m[2];
  const parentId = m[3];
  if (traceId === ZEROS_32 || parentId === ZEROS_16) return null;
  return { traceId, parentId, sampled: (parseInt(m[4], 16) & 1) === 1 };
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

// Random ids from a pooled buffer: one randomFillSync per 1 024 span ids instead of one per
// request (ids are made on the gateway's hot path).
const POOL = Buffer.alloc(8192);
let poolOffset = POOL.length;

function randomHex(bytes: number): string {
  for (;;) {
    if (poolOffset + bytes > POOL.length) {
      randomFillSync(POOL);
      poolOffset = 0;
    }
    const start = poolOffset;
    poolOffset += bytes;
    // All zero is invalid (and astronomically rare): draw again.
    for (let i = start; i < start + bytes; i++)
      if (POOL[i] !== 0) return POOL.toString('hex', start, start + bytes);
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

/** Replaces the request's trace context (the tracer, when its sampler decided the flags). */
export function replaceTraceContext(req: IncomingMessage, ctx: TraceContext): void {
  (req as Traced)[kTrace] = ctx;
}
