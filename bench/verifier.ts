/**
 * Token verification alone, in process (issue 4's "verifier" line): our TokenVerifier against a
 * plain `jose.jwtVerify` (RS256, local JWKS) over the same distinct tokens, sequentially on one
 * core, plus the verifier's cached path (the same token again). No HTTP, no proxy: this isolates
 * the per-token cost the gateway pays once per new token.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { AuthMetrics } from '../src/common/auth/auth-metrics.js';
import { systemClock } from '../src/common/auth/clock.js';
import { MetricsRegistry } from '../src/common/metrics/metrics-registry.js';
import { TokenVerifier } from '../src/common/auth/token-verifier.js';
import { TrustedIssuerRegistry } from '../src/common/auth/trusted-issuer-registry.js';
import { loadConfig } from '../src/config/load-config.js';
import { orgClaim, startIssuer } from './lib/issuer.js';

export interface VerifierBench {
  tokens: number;
  joseVerifyPerSec: number;
  verifierNewTokenPerSec: number;
  verifierCachedPerSec: number;
  ratioNewTokenVsJose: number;
}

async function rate(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return Math.round(n / ((performance.now() - t0) / 1000));
}

export async function benchTokenVerifier(count = 4000): Promise<VerifierBench> {
  const issuer = await startIssuer();
  try {
    const consumer = orgClaim('991825827');
    const now = Date.now();
    const claims = {
      consumer,
      scope: 'skatteetaten:inntekt',
      client_id: 'bench-client',
      authorization_details: [
        {
          type: 'urn:altinn:consent',
          id: randomUUID(),
          from: 'urn:altinn:person:identifier-no:02013299997',
          to: consumer,
          consented: new Date(now - 60_000).toISOString(),
          validTo: new Date(now + 86_400_000).toISOString(),
          consentRights: [
            {
              action: ['consent'],
              resource: [{ type: 'urn:altinn:resource', value: 'ske-inntekt' }],
              metadata: { inntektsaar: '2024' },
            },
          ],
        },
      ],
    };
    const tokens = await issuer.tokens(claims, count * 2);
    const jwks = createLocalJWKSet((await (await fetch(issuer.jwksUrl)).json()) as JSONWebKeySet);
    const config = loadConfig({
      PUBLIC_URL: 'http://127.0.0.1:9',
      TRUSTED_ISSUERS: `${issuer.issuer}|${issuer.jwksUrl}`,
    });
    const metrics = new AuthMetrics(new MetricsRegistry({ processMetrics: false }));
    const registry = new TrustedIssuerRegistry(
      config,
      { getPublicJwks: async () => ({ keys: [] }) },
      systemClock,
      metrics,
    );
    const verifier = new TokenVerifier(config, registry, systemClock, metrics);
    await verifier.verify(tokens[0]); // fetches the JWKS once, like the running gateway

    // Warm both paths (JIT) on tokens the measured runs do not use.
    const warm = tokens.slice(count, count + 500);
    for (const t of warm) await jwtVerify(t, jwks, { issuer: issuer.issuer, algorithms: ['RS256'] });
    for (const t of warm) await verifier.verify(t);

    const measured = tokens.slice(1, count);
    const joseVerifyPerSec = await rate(measured.length, (i) =>
      jwtVerify(measured[i], jwks, { issuer: issuer.issuer, algorithms: ['RS256'] }),
    );
    const verifierNewTokenPerSec = await rate(measured.length, (i) => verifier.verify(measured[i]));
    const verifierCachedPerSec = await rate(measured.length * 10, () => verifier.verify(tokens[0]));
    return {
      tokens: measured.length,
      joseVerifyPerSec,
      verifierNewTokenPerSec,
      verifierCachedPerSec,
      ratioNewTokenVsJose: Number((verifierNewTokenPerSec / joseVerifyPerSec).toFixed(2)),
    };
  } finally {
    await issuer.close();
  }
}
