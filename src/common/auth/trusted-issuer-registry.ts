/**
 * The trusted issuers (DESIGN §3): the built-in one, `${publicUrl}/`, and each configured
 * external issuer. Lookup is by exact `iss` string (no trailing-slash or case normalisation: an
 * issuer identifier is compared as a string, RFC 8414 §3.3), through a Map so names like
 * `__proto__` are just misses.
 */
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { AuthMetrics } from './auth-metrics.js';
import { AUTH_CLOCK, type Clock } from './clock.js';
import { ISSUER_KEY_SOURCE, type IssuerKeySource } from './issuer-key-source.js';
import { JwksCache, type IssuerStatus } from './jwks-cache.js';
import { httpJwksLoader } from './jwks-fetch.js';

/** The built-in issuer lives in-process: cheap to re-ask, so short TTL and interval. */
const BUILT_IN_MAX_TTL_MS = 60_000;
const BUILT_IN_MAX_REFRESH_INTERVAL_MS = 1_000;
/** While an external issuer has no usable keys, retry at most this often. */
const EXTERNAL_NO_KEYS_RETRY_MS = 5_000;
/** After a failed refresh of an issuer's keys, the next try (its own clock, not the kid cooldown). */
const FAILED_REFRESH_RETRY_MS = { builtIn: 1_000, external: 5_000 };

export function builtInIssuer(config: Pick<AppConfig, 'publicUrl'>): string {
  return `${config.publicUrl}/`;
}

@Injectable()
export class TrustedIssuerRegistry implements OnApplicationBootstrap, OnModuleDestroy {
  readonly builtInIssuer: string;
  private readonly caches = new Map<string, JwksCache>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(ISSUER_KEY_SOURCE) keySource: IssuerKeySource,
    @Inject(AUTH_CLOCK) clock: Clock,
    metrics: AuthMetrics,
  ) {
    this.builtInIssuer = builtInIssuer(config);
    const ttlMs = config.jwksTtlSeconds * 1000;
    const maxStaleMs = config.jwksMaxStaleSeconds * 1000;
    const minRefreshIntervalMs = config.jwksMinRefreshIntervalSeconds * 1000;

    this.add(
      new JwksCache({
        issuer: this.builtInIssuer,
        builtIn: true,
        loader: () => keySource.getPublicJwks(),
        clock,
        ttlMs: Math.min(ttlMs, BUILT_IN_MAX_TTL_MS),
        maxStaleMs,
        minRefreshIntervalMs: Math.min(minRefreshIntervalMs, BUILT_IN_MAX_REFRESH_INTERVAL_MS),
        failedRefreshRetryMs: FAILED_REFRESH_RETRY_MS.builtIn,
        noKeysRetryIntervalMs: 0,
        loadTimeoutMs: config.jwksFetchTimeoutMs,
        metrics,
      }),
    );
    for (const { issuer, jwksUrl } of config.trustedIssuers) {
      this.add(
        new JwksCache({
          issuer,
          builtIn: false,
          loader: httpJwksLoader(jwksUrl, {
            timeoutMs: config.jwksFetchTimeoutMs,
            maxBytes: config.jwksMaxBytes,
          }),
          clock,
          ttlMs,
          maxStaleMs,
          minRefreshIntervalMs,
          failedRefreshRetryMs: Math.min(FAILED_REFRESH_RETRY_MS.external, ttlMs),
          noKeysRetryIntervalMs: Math.min(minRefreshIntervalMs, EXTERNAL_NO_KEYS_RETRY_MS),
          // Backstop only: the HTTP fetch enforces jwksFetchTimeoutMs itself.
          loadTimeoutMs: config.jwksFetchTimeoutMs + 1_000,
          fetchTimeoutMs: config.jwksFetchTimeoutMs,
          metrics,
        }),
      );
    }
  }

  /** The key cache for an exact `iss`, or undefined when the issuer is not trusted. */
  get(issuer: string): JwksCache | undefined {
    return this.caches.get(issuer);
  }

  /** The trusted issuer identifiers, the built-in one first. */
  names(): string[] {
    return [...this.caches.keys()];
  }

  /** Per-issuer snapshot for readiness (`degraded` when any is not `ok`). */
  status(): IssuerStatus[] {
    return [...this.caches.values()].map((c) => c.status());
  }

  /** Force a refresh on next use (all issuers, or one), e.g. after the built-in keys rotated. */
  invalidate(issuer?: string): void {
    for (const c of this.caches.values()) if (issuer === undefined || c.issuer === issuer) c.invalidate();
  }

  /** Warm the caches without delaying boot; failures show up in status(). */
  onApplicationBootstrap(): void {
    for (const c of this.caches.values()) c.warmUp();
  }

  onModuleDestroy(): void {
    for (const c of this.caches.values()) c.close();
  }

  private add(cache: JwksCache): void {
    // Two entries for one iss would make "which keys?" ambiguous: refuse at boot.
    if (this.caches.has(cache.issuer)) throw new Error(`Trusted issuer configured twice: ${cache.issuer}`);
    this.caches.set(cache.issuer, cache);
  }
}
