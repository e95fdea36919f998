/**
 * Every metric the app declares, each written once as the running service would: for the
 * metrics contract (docs/operations.md) and for the dashboard and alert rules that query them.
 */
import { AuthMetrics } from '../../src/common/auth/auth-metrics.js';
import { HttpMetrics } from '../../src/common/http/http-metrics.js';
import { MetricsRegistry } from '../../src/common/metrics/metrics-registry.js';
import { ConsentMetrics } from '../../src/consents/consent-metrics.js';
import { GatewayMetrics } from '../../src/gateway/gateway-metrics.js';
import { TokenMetrics } from '../../src/tokens/token-metrics.js';
import { WebhookMetrics } from '../../src/webhooks/webhook-metrics.js';

/** The Prometheus text of every app metric; with `processMetrics`, the process_* and nodejs_* ones too. */
export async function appMetricsExposition(processMetrics = false): Promise<string> {
  const registry = new MetricsRegistry({ processMetrics });
  new HttpMetrics(registry).requestDuration.observe({ method: 'GET', route: '/x', status: '200' }, 0.01);
  const auth = new AuthMetrics(registry);
  auth.trackJwks({ issuer: 'https://ext/', usableKeyCount: () => 1, keyAgeSeconds: () => 5 });
  auth.jwksRefreshTotal.inc({ issuer: 'https://ext/' });
  auth.jwksRefreshFailuresTotal.inc({ issuer: 'https://ext/' });
  auth.tokenVerifySeconds.observe(0.001);
  auth.tokenVerifyCacheHitsTotal.inc();
  auth.tokenVerifyFailuresTotal.inc({ reason: 'expired' });
  const gateway = new GatewayMetrics(registry);
  const api = gateway.api('inntekt');
  api.count('upstream_2xx');
  api.check.observe(0.0002);
  api.upstream.observe(0.003);
  gateway.countCacheLookup('consent', true);
  const webhooks = new WebhookMetrics(registry);
  webhooks.attemptsTotal.inc({ outcome: 'delivered' });
  webhooks.attemptSeconds.observe(0.05);
  webhooks.queuedTotal.inc();
  webhooks.subscriptionsDisabledTotal.inc();
  new ConsentMetrics(registry).count('accepted');
  new TokenMetrics(registry).requestsTotal.inc({ outcome: 'issued' });
  return registry.render();
}

/** Names of every series the app exposes, histogram and summary series included (`_bucket`, `_sum`, `_count`). */
export async function exposedSeriesNames(processMetrics = true): Promise<Set<string>> {
  const text = await appMetricsExposition(processMetrics);
  return new Set([...text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/gm)].map((m) => m[1]));
}
