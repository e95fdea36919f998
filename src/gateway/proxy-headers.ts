/**
 * Which headers cross the gateway (DESIGN §4.9).
 *
 * Upstream-bound: hop-by-hop headers (RFC 9110 §7.6.1, plus those named in `Connection`) never
 * travel on; the caller's credentials (`Authorization`, `Cookie`) stay here, because the
 * upstream trusts the verified context headers instead; anything the client sent that looks like
 * verified context (`X-Consent-*`, `X-Forwarded-*`, `Forwarded`, `X-Real-IP`, `X-Request-Id`) is
 * dropped and replaced by ours, so a client cannot spoof who gave the consent.
 *
 * Names are compared as the upstream's framework reads them (DESIGN §11): CGI, WSGI, Rack and
 * PHP turn `X_Consent_Id` and `X-Consent-Id` (and leniently `X.Consent.Id`) into the same
 * `HTTP_X_CONSENT_ID`, so a client header whose folded name is reserved is dropped too. nginx
 * drops every name with an underscore by default for the same reason; we drop only the ones that
 * collide with a name we own, so other client headers keep working. The same goes for spellings
 * of the API's subject header other than the one the gateway checked, for method-override
 * headers (the upstream must act on the method the gateway saw and logged) and for headers some
 * frameworks let override the path or host (`X-Original-URL`, `X-Rewrite-URL`, `X-Host`).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { formatTraceparent, newSpanId, type TraceContext } from '../common/tracing/trace-context.js';

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
  // W3C trace context: the upstream's parent is the gateway's span, not the client's.
  'traceparent',
  'tracestate',
  'x-client-ip',
  'true-client-ip',
  // Express's method-override, ASP.NET Core, Spring and others turn a POST into a DELETE or PUT.
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  // IIS URL Rewrite, Symfony and Zend/Laminas let these replace the request path (and host):
  // the upstream would serve another path than the one the gateway forwarded.
  'x-original-url',
  'x-rewrite-url',
  'x-original-uri',
  'x-original-host',
  'x-host',
  // httpoxy (CVE-2016-5385 and kin): CGI turns `Proxy` into HTTP_PROXY, which PHP, Go's
  // net/http/cgi and Python's requests under CGI took as the outbound proxy (red-team RT-9).
  'proxy',
  // More spellings of "the client's address" that frameworks and PHP code trust
  // (`$_SERVER['HTTP_CLIENT_IP']` is read before X-Forwarded-For by many): the upstream gets
  // the address the gateway saw, in X-Forwarded-For only (RT-9).
  'client-ip',
  'x-cluster-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'x-originating-ip',
  'x-remote-ip',
  'x-remote-addr',
  // Identity asserted by an authenticating proxy in front of an app (Apache/nginx auth,
  // oauth2-proxy, ...): an upstream that once sat behind one may still trust them (RT-9).
  'remote-user',
  'x-remote-user',
  'x-authenticated-user',
]);

/**
 * Prefixes of identity and routing headers set by well-known authenticating proxies and
 * meshes: oauth2-proxy, Azure App Service authentication, AWS ALB, Google IAP, Envoy. A client
 * never sets them legitimately; an upstream built for one of those platforms trusts them (RT-9).
 */
const DROPPED_PREFIXES = [
  'x-auth-request-',
  'x-ms-client-principal',
  'x-ms-token-',
  'x-amzn-oidc-',
  'x-goog-authenticated-user-',
  'x-goog-iap-',
  'x-envoy-',
];

/** Names a client may send but only in their canonical spelling (framing and body type). */
const CANONICAL_ONLY = new Set(['content-length', 'content-type']);

/**
 * Headers that describe the content for every recipient (RFC 9110 §7.6.1: a sender MUST NOT name
 * them in `Connection`). Removing them would let a client change how the upstream reads a body
 * the gateway already judged: `Connection: Content-Type` turned an XML body into a typeless POST
 * body, which Rack parses as a form (red-team finding RT-3). They are kept whatever `Connection`
 * says, like the checked subject header.
 */
const CONTENT_HEADERS = new Set(['content-type', 'content-length', 'content-encoding']);

/**
 * A lowercase header name as CGI-style frameworks read it: every character that is not a
 * letter or digit becomes `-` (`x_consent_id`, `x.consent.id` → `x-consent-id`).
 */
export function foldHeaderName(lower: string): string {
  return /[^a-z0-9-]/.test(lower) ? lower.replace(/[^a-z0-9]/g, '-') : lower;
}

function isOurs(folded: string): boolean {
  return (
    DROPPED_REQUEST.has(folded) ||
    folded.startsWith('x-consent-') ||
    folded.startsWith('x-forwarded-') ||
    DROPPED_PREFIXES.some((p) => folded.startsWith(p))
  );
}

/** Header names a protected API may not use as its subject header (they are rewritten or dropped). */
export function isReservedHeader(name: string): boolean {
  const n = foldHeaderName(name.toLowerCase());
  return isOurs(n) || CANONICAL_ONLY.has(n);
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
  /** The call's trace: the upstream gets a `traceparent` whose parent is a new gateway span. */
  trace?: TraceContext;
  /** The upstream call's own span when tracing is on: its `traceparent` is sent instead. */
  traceparent?: string;
  /** The API's subject header (lowercase) when it has one: forwarded only as checked. */
  subjectHeader?: string | null;
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
  const subjectFolded = ctx.subjectHeader ? foldHeaderName(ctx.subjectHeader) : null;
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    const lower = lowerNames ? lowerNames[i >> 1] : name.toLowerCase();
    if (isOurs(lower)) continue;
    // `Connection` may not remove the subject header the gateway checked (the upstream relies on
    // it), nor the headers that say how to read the body (RT-3).
    if (extraHop?.has(lower) && lower !== ctx.subjectHeader && !CONTENT_HEADERS.has(lower)) continue;
    const folded = foldHeaderName(lower);
    if (folded !== lower && (isOurs(folded) || CANONICAL_ONLY.has(folded))) continue;
    if (subjectFolded !== null && folded === subjectFolded && lower !== ctx.subjectHeader) continue;
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
  if (ctx.trace) {
    out.push('traceparent', ctx.traceparent ?? formatTraceparent(ctx.trace, newSpanId()));
    if (ctx.trace.tracestate !== undefined) out.push('tracestate', ctx.trace.tracestate);
  }
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
