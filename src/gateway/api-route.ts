/**
 * A registered protected API as the proxy uses it: everything precomputed once per change
 * (upstream origin and base path, scope list, resource set), so a request does no parsing.
 */
import type { ProtectedApi } from '../generated/prisma/client.js';
import type { RateRule } from '../common/rate-limit/token-bucket.limiter.js';

export type ConsentSource = 'local' | 'token';
export type SubjectIn = 'header' | 'query';

export interface RateLimitConfig {
  perConsumer?: RateRule;
  perConsent?: RateRule;
}

export interface ApiRoute {
  readonly name: string;
  readonly ownerOrgNumber: string;
  readonly upstreamUrl: string;
  /** `http://host:port` — one keep-alive pool per origin. */
  readonly origin: string;
  /** Upstream path prefix without a trailing slash ('' for the root). */
  readonly basePath: string;
  readonly requiredScopes: readonly string[];
  readonly consentResources: ReadonlySet<string>;
  readonly requiredAction: string;
  readonly consentSource: ConsentSource;
  readonly audience: string | null;
  readonly subject: { readonly in: SubjectIn; readonly name: string; readonly key: string } | null;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly rateLimit: RateLimitConfig | null;
  /** The row's content; a reload of an unchanged row keeps the route object (and its buckets). */
  readonly fingerprint: string;
}

function rateRule(v: unknown): RateRule | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { requests, perSeconds } = v as Record<string, unknown>;
  if (typeof requests !== 'number' || typeof perSeconds !== 'number' || requests < 1 || perSeconds < 1)
    return undefined;
  return Object.freeze({ requests, perSeconds });
}

export function parseRateLimit(v: unknown): RateLimitConfig | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const perConsumer = rateRule(o.perConsumer);
  const perConsent = rateRule(o.perConsent);
  if (!perConsumer && !perConsent) return null;
  return Object.freeze({ ...(perConsumer && { perConsumer }), ...(perConsent && { perConsent }) });
}

export function routeFingerprint(row: ProtectedApi): string {
  const { createdAt: _c, updatedAt: _u, maxBodyBytes, ...rest } = row;
  return JSON.stringify({ ...rest, maxBodyBytes: String(maxBodyBytes) });
}

export function toApiRoute(row: ProtectedApi): ApiRoute {
  const u = new URL(row.upstreamUrl);
  const subjectIn = row.subjectIn === 'header' || row.subjectIn === 'query' ? row.subjectIn : null;
  return Object.freeze({
    name: row.name,
    ownerOrgNumber: row.ownerOrgNumber,
    upstreamUrl: row.upstreamUrl,
    origin: u.origin,
    basePath: u.pathname.replace(/\/+$/, ''),
    requiredScopes: Object.freeze([...row.requiredScopes]),
    consentResources: new Set(row.consentResources),
    requiredAction: row.requiredAction,
    consentSource: row.consentSource === 'token' ? 'token' : 'local',
    audience: row.audience,
    subject:
      subjectIn && row.subjectName
        ? Object.freeze({
            in: subjectIn,
            name: row.subjectName,
            key: subjectIn === 'header' ? row.subjectName.toLowerCase() : row.subjectName,
          })
        : null,
    timeoutMs: row.timeoutMs,
    maxBodyBytes: Number(row.maxBodyBytes),
    rateLimit: parseRateLimit(row.rateLimit),
    fingerprint: routeFingerprint(row),
  });
}

/**
 * The upstream path for the part of the raw target after `/proxy/{name}` (already checked by the
 * request-target guard). `rest` is '' or starts with '/' or '?'.
 */
export function upstreamPath(basePath: string, rest: string): string {
  if (rest === '') return basePath || '/';
  if (rest.charCodeAt(0) === 0x3f /* ? */) return (basePath || '/') + rest;
  return basePath + rest;
}
