/**
 * W3C Trace Context parsing, held to the recommendation's rules by properties: every valid
 * `traceparent` is continued (same trace, a new span of ours, the caller's span as parent), every
 * value broken in any of the ways §3.2 forbids starts a new trace, and `tracestate` is passed on
 * only when it is a valid list.
 */
import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import {
  formatTraceparent,
  parseTraceparent,
  parseTracestate,
  traceContextFromHeaders,
  traceContextOf,
} from './trace-context.js';

const hexOf = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const nonZeroHex = (length: number) => hexOf(length).filter((h) => !/^0+$/.test(h));
const traceId = nonZeroHex(32);
const spanId = nonZeroHex(16);
const flags = hexOf(2);

const validTraceparent = fc.record({ traceId, spanId, flags }).map(({ traceId, spanId, flags }) => ({
  traceId,
  spanId,
  flags,
  value: `00-${traceId}-${spanId}-${flags}`,
}));

/** Ways a valid traceparent is broken (each makes it invalid per §3.2). */
const broken = fc.oneof(
  // upper-case hex anywhere
  validTraceparent
    .filter((v) => /[a-f]/.test(v.value.slice(3)))
    .map((v) => v.value.slice(0, 3) + v.value.slice(3).toUpperCase()),
  // all-zero trace id or parent id
  fc.record({ spanId, flags }).map(({ spanId, flags }) => `00-${'0'.repeat(32)}-${spanId}-${flags}`),
  fc.record({ traceId, flags }).map(({ traceId, flags }) => `00-${traceId}-${'0'.repeat(16)}-${flags}`),
  // version ff, or a non-hex version
  validTraceparent.map((v) => `ff${v.value.slice(2)}`),
  validTraceparent.map((v) => `0g${v.value.slice(2)}`),
  // version 00 with anything after it
  fc.tuple(validTraceparent, fc.string({ minLength: 1, maxLength: 10 })).map(([v, tail]) => v.value + tail),
  // one character cut or added in a field
  validTraceparent.map((v) => v.value.slice(0, 10) + v.value.slice(11)),
  validTraceparent.map((v) => `00-${v.traceId}a-${v.spanId}-${v.flags}`),
  // a separator replaced
  fc
    .tuple(validTraceparent, fc.constantFrom(2, 35, 52), fc.constantFrom('_', ' ', '.', 'a'))
    .map(([v, at, c]) => v.value.slice(0, at) + c + v.value.slice(at + 1)),
  // a non-hex character in a field
  fc
    .tuple(validTraceparent, fc.integer({ min: 3, max: 54 }), fc.constantFrom('g', 'z', ' ', '-', 'é'))
    .filter(([, at]) => at !== 35 && at !== 52)
    .map(([v, at, c]) => v.value.slice(0, at) + c + v.value.slice(at + 1)),
  // two headers (Node joins them) and leading or trailing space
  fc.tuple(validTraceparent, validTraceparent).map(([a, b]) => `${a.value}, ${b.value}`),
  validTraceparent.map((v) => ` ${v.value}`),
);

const headersOf = (h: Record<string, string | undefined>) => h as IncomingMessage['headers'];

describe('traceparent (W3C Trace Context §3.2)', () => {
  it('continues every valid version-00 value: same trace, the caller as parent, a new span', () => {
    fc.assert(
      fc.property(validTraceparent, (v) => {
        const ctx = traceContextFromHeaders(headersOf({ traceparent: v.value }));
        expect(ctx.traceId).toBe(v.traceId);
        expect(ctx.parentSpanId).toBe(v.spanId);
        expect(ctx.spanId).toMatch(/^[0-9a-f]{16}$/);
        expect(ctx.spanId).not.toBe(v.spanId);
        expect(ctx.sampled).toBe((parseInt(v.flags, 16) & 1) === 1);
        expect(formatTraceparent(ctx)).toBe(`00-${v.traceId}-${ctx.spanId}-${ctx.sampled ? '01' : '00'}`);
      }),
    );
  });

  it('refuses every broken value, so a new trace starts (and its tracestate is dropped)', () => {
    fc.assert(
      fc.property(broken, (value) => {
        expect(parseTraceparent(value)).toBeNull();
        const ctx = traceContextFromHeaders(headersOf({ traceparent: value, tracestate: 'a=b' }));
        expect(ctx.parentSpanId).toBeUndefined();
        expect(ctx.tracestate).toBeUndefined();
        expect(value).not.toContain(ctx.traceId);
        expect(formatTraceparent(ctx)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      }),
    );
  });

  it('parses a higher version by its version-00 prefix, extended only after a "-"', () => {
    fc.assert(
      fc.property(
        validTraceparent,
        fc.constantFrom('01', '7f', 'fe'),
        fc.string({ maxLength: 20 }),
        (v, ver, tail) => {
          const future = `${ver}${v.value.slice(2)}`;
          expect(parseTraceparent(future)?.traceId).toBe(v.traceId);
          expect(parseTraceparent(`${future}-${tail}`)?.traceId).toBe(v.traceId);
          if (tail.length > 0 && !tail.startsWith('-'))
            expect(parseTraceparent(`${future}${tail}`)).toBeNull();
        },
      ),
    );
  });

  it('never throws, whatever the header holds', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 80 }), fc.array(fc.string(), { maxLength: 3 })),
        (value) => {
          const ctx = traceContextFromHeaders(
            headersOf({ traceparent: value as string, tracestate: value as string }),
          );
          expect(formatTraceparent(ctx)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
        },
      ),
    );
  });

  it('joins a caller’s 32-hex request id and the new trace when no traceparent came', () => {
    const id = 'ab'.repeat(16);
    expect(traceContextFromHeaders(headersOf({ 'x-request-id': id })).traceId).toBe(id);
    expect(traceContextFromHeaders(headersOf({ 'x-request-id': 'AB'.repeat(16) })).traceId).not.toBe(id);
  });

  it('is computed once per request', () => {
    const req = { headers: {} } as IncomingMessage;
    expect(traceContextOf(req)).toBe(traceContextOf(req));
  });
});

describe('tracestate (W3C Trace Context §3.3)', () => {
  const key = fc.oneof(
    fc.stringMatching(/^[a-z][a-z0-9_\-*/]{0,20}$/),
    fc.stringMatching(/^[a-z0-9][a-z0-9_\-*/]{0,10}@[a-z][a-z0-9_\-*/]{0,5}$/),
  );
  const value = fc.stringMatching(/^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,20}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/);
  const list = fc.uniqueArray(fc.tuple(key, value), { minLength: 1, maxLength: 32, selector: ([k]) => k });

  it('passes a valid list on, normalised to comma-separated members', () => {
    fc.assert(
      fc.property(list, (members) => {
        const text = members.map(([k, v]) => `${k}=${v}`).join(' , ');
        expect(parseTracestate(text)).toBe(members.map(([k, v]) => `${k}=${v}`).join(','));
      }),
    );
  });

  it('drops a list with a duplicate key, more than 32 members, or a bad key or value', () => {
    expect(parseTracestate('a=1,a=2')).toBeUndefined();
    expect(parseTracestate(Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(','))).toBeUndefined();
    for (const bad of ['A=1', '1a=1', 'a=', 'a=b,c', 'a=b=c', `a=${'x'.repeat(257)}`, 'a@B=1', '=1'])
      expect(parseTracestate(bad)).toBeUndefined();
  });

  it('treats several tracestate headers as one list', () => {
    expect(parseTracestate(['a=1', 'b=2'])).toBe('a=1,b=2');
  });
});
