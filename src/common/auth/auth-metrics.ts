/**
 * Prometheus metrics for token verification and JWKS caches (default prom-client registry, served
 * by the health module at /metrics). Tests and the CLI create several Nest apps in one process,
 * so every metric is fetched from the registry first and created only once.
 */
import { Counter, Gauge, Histogram, register, type Metric } from 'prom-client';

function single<T extends Metric>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

/** Implemented by JwksCache; read at scrape time so gauges are current without a timer. */
export interface JwksMetricsSource {
  readonly issuer: string;
  /** Usable keys now (0 once beyond the stale window). */
  usableKeyCount(): number;
  keyAgeSeconds(): number | null;
}

/** Live caches, so the gauges' collect() can report every issuer of every app instance. */
const sources = new Set<JwksMetricsSource>();

export function trackJwksMetrics(source: JwksMetricsSource): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

export const jwksRefreshTotal = single<Counter<'issuer'>>(
  'jwks_refresh_total',
  () =>
    new Counter({
      name: 'jwks_refresh_total',
      help: 'JWKS fetch attempts per issuer.',
      labelNames: ['issuer'],
    }),
);

export const jwksRefreshFailuresTotal = single<Counter<'issuer'>>(
  'jwks_refresh_failures_total',
  () =>
    new Counter({
      name: 'jwks_refresh_failures_total',
      help: 'JWKS fetch attempts that failed (network, HTTP, size, JSON, no usable key).',
      labelNames: ['issuer'],
    }),
);

export const jwksKeys = single<Gauge<'issuer'>>(
  'jwks_keys',
  () =>
    new Gauge({
      name: 'jwks_keys',
      help: 'Usable verification keys held per issuer (0 when none can be trusted).',
      labelNames: ['issuer'],
      collect() {
        this.reset();
        for (const s of sources) this.set({ issuer: s.issuer }, s.usableKeyCount());
      },
    }),
);

export const jwksKeyAgeSeconds = single<Gauge<'issuer'>>(
  'jwks_key_age_seconds',
  () =>
    new Gauge({
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
    }),
);

export const tokenVerifySeconds = single<Histogram<string>>(
  'token_verify_seconds',
  () =>
    new Histogram({
      name: 'token_verify_seconds',
      help: 'Full (uncached) bearer token verification time, including any JWKS fetch it waited for.',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1, 5],
    }),
);

export const tokenVerifyCacheHitsTotal = single<Counter<string>>(
  'token_verify_cache_hits_total',
  () =>
    new Counter({
      name: 'token_verify_cache_hits_total',
      help: 'Tokens answered from the verified-token cache.',
    }),
);

export const tokenVerifyFailuresTotal = single<Counter<'reason'>>(
  'token_verify_failures_total',
  () =>
    new Counter({
      name: 'token_verify_failures_total',
      help: 'Refused bearer tokens by internal reason.',
      labelNames: ['reason'],
    }),
);
