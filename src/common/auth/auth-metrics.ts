/**
 * Token verification and JWKS metrics (docs/operations.md lists them; alerts use the names).
 * Declared once per app through the MetricsRegistry; the verifier and the key caches get this
 * object injected.
 */
import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics-registry.js';

/** Implemented by JwksCache; read at scrape time so the gauges are current without a timer. */
export interface JwksMetricsSource {
  readonly issuer: string;
  /** Usable keys now (0 once beyond the stale window). */
  usableKeyCount(): number;
  keyAgeSeconds(): number | null;
}

@Injectable()
export class AuthMetrics {
  readonly jwksRefreshTotal: Counter<'issuer'>;
  readonly jwksRefreshFailuresTotal: Counter<'issuer'>;
  readonly tokenVerifySeconds: Histogram;
  readonly tokenVerifyCacheHitsTotal: Counter;
  readonly tokenVerifyFailuresTotal: Counter<'reason'>;
  /** The live key caches, for the gauges. */
  private readonly sources = new Set<JwksMetricsSource>();

  constructor(metrics: MetricsRegistry) {
    const sources = this.sources;
    this.jwksRefreshTotal = metrics.counter({
      name: 'jwks_refresh_total',
      help: 'JWKS fetch attempts per issuer.',
      labelNames: ['issuer'],
    });
    this.jwksRefreshFailuresTotal = metrics.counter({
      name: 'jwks_refresh_failures_total',
      help: 'JWKS fetch attempts that failed (network, HTTP, size, JSON, no usable key).',
      labelNames: ['issuer'],
    });
    metrics.gauge({
      name: 'jwks_keys',
      help: 'Usable verification keys held per issuer (0 when none can be trusted).',
      labelNames: ['issuer'],
      collect() {
        this.reset();
        for (const s of sources) this.set({ issuer: s.issuer }, s.usableKeyCount());
      },
    });
    metrics.gauge({
      name: 'jwks_key_age_seconds',
      help: 'Seconds since the last good JWKS fetch per issuer.',
      labelNames: ['issuer'],
      collect() {
        this.reset();
        for (const s of sources) {
          const age = s.keyAgeSeconds();
          if (age !== null) this.set({ issuer: s.issuer }, age);
        }
      },
    });
    this.tokenVerifySeconds = metrics.histogram({
      name: 'token_verify_seconds',
      help: 'Full (uncached) bearer token verification time, including any JWKS fetch it waited for.',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1, 5],
    });
    this.tokenVerifyCacheHitsTotal = metrics.counter({
      name: 'token_verify_cache_hits_total',
      help: 'Tokens answered from the verified-token cache.',
    });
    this.tokenVerifyFailuresTotal = metrics.counter({
      name: 'token_verify_failures_total',
      help: 'Refused bearer tokens by internal reason.',
      labelNames: ['reason'],
    });
  }

  /** Reports a key cache in the gauges until the returned function is called. */
  trackJwks(source: JwksMetricsSource): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }
}
