/**
 * Which headers cross the gateway (DESIGN §4.9).
 *
 * Upstream-bound: hop-by-hop headers (RFC 9110 §7.6.1, plus those named in `Connection`) never
 * travel on; the caller's credentials (`Authorization`, `Cookie`) stay here, because the
 * upstream trusts the verified context headers instead; anything the client sent that looks like
 * verified context (`X-Consent-*`, `X-Forwarded-*`, `Forwarded`, `X-Real-IP`, `X-Request-Id`) is
 * dropped and replaced by ours, so a client cannot spoof who gave the consent.
 */
import type { IncomingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Request headers that are ours to set, or that must not reach the upstream. */
const DROPPED_REQUEST = new Set([
  ...HOP_BY_HOP,
  'host',
  'authorization',
  'cookie',
  // undici refuses `expect`; Node already answered `100-continue` to the client.
  'expect',
  'forwarded',
  'x-real-ip',
  'x-request-id',
  'x-client-ip',
  'true-client-ip',
]);

/** Header names a protected API may not use as its subject header (they are rewritten or dropped). */
export function isReservedHeader(name: string): boolean {
  const n = name.toLowerCase();
  return (
    DROPPED_REQUEST.has(n) ||
    n.startsWith('x-consent-') ||
    n.startsWith('x-forwarded-') ||
    n === 'content-length' ||
    n === 'content-type'
  );
}

/** Lowercase header names listed in `Connection` (they are hop-by-hop too). */
function connectionTokens(value: string | string[] | undefined): Set<string> | null {
  if (!value) return null;
  // The usual values name no extra header (both are hop-by-hop themselves): skip the split.
  if (typeof value === 'string' && /^(?:keep-alive|close)$/i.test(value)) return null;
  const joined = Array.isArray(value) ? value.join(',') : value;
  const out = new Set<string>();
  for (const t of joined.split(',')) {
    const n = t.trim().toLowerCase();
    if (n) out.add(n);
  }
  return out.size ? out : null;
}

export interface VerifiedContext {
  consentId: string;
  fromUrn: string;
  toUrn: string;
  /** JSON, ASCII-only. */
  metadataHeader: string;
  clientIp: string;
  proto: 'http' | 'https';
  requestId: string;
}

/**
 * The upstream request's headers as a flat `[name, value, …]` list (undici accepts it and it
 * keeps repeated headers and their order).
 */
export function upstreamRequestHeaders(
  rawHeaders: readonly string[],
  /** `rawHeaders`' names in lowercase (index i/2), when the caller already has them. */
  lowerNames: readonly string[] | null,
  connection: string | string[] | undefined,
  ctx: VerifiedContext,
): string[] {
  const extraHop = connectionTokens(connection);
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    const lower = lowerNames ? lowerNames[i >> 1] : name.toLowerCase();
    if (DROPPED_REQUEST.has(lower) || lower.startsWith('x-consent-') || lower.startsWith('x-forwarded-'))
      continue;
    if (extraHop?.has(lower)) continue;
    out.push(name, rawHeaders[i + 1]);
  }
  out.push(
    'x-consent-id',
    ctx.consentId,
    'x-consent-from',
    ctx.fromUrn,
    'x-consent-to',
    ctx.toUrn,
    'x-consent-metadata',
    ctx.metadataHeader,
    'x-forwarded-for',
    ctx.clientIp,
    'x-forwarded-proto',
    ctx.proto,
    'x-request-id',
    ctx.requestId,
  );
  return out;
}

/** The upstream's response headers minus hop-by-hop ones, ready for `writeHead`. */
export function downstreamResponseHeaders(
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const extraHop = connectionTokens(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined || HOP_BY_HOP.has(name) || extraHop?.has(name)) continue;
    out[name] = v;
  }
  return out;
}
