/**
 * Micro-bench: the gateway's thirteen checks (src/gateway/checks/) on the reused-token path, in
 * process, everything in memory as in production after the first call: ns per call for
 * CheckPipeline.run, the GatewayCall included. The verifier is the token cache's answer
 * (the principal of a reused token); every other check runs its production code. Measured for a
 * resource without an owner's policy (`nsPerCall`) and with one that uses every gateway rule:
 * `maxValidity`, `metadataValues` and `callsPerDay` (`nsPerCallWithPolicy`; DailyCallCounter
 * over an in-memory store, as after the day's first call).
 * `node dist-bench/bench/gateway-checks.js` runs it alone; `npm run bench` runs it with the rest.
 */
import { performance } from 'node:perf_hooks';
import { TokenBucketLimiter } from '../src/common/rate-limit/token-bucket.limiter.js';
import { AccessListCheck } from '../src/gateway/checks/access-list.check.js';
import { NO_POLICY, type StoredPolicyView } from '../src/resources/resource-policy.view.js';
import { BodySizeCheck } from '../src/gateway/checks/body-size.check.js';
import { CallsPerDayCheck } from '../src/gateway/checks/calls-per-day.check.js';
import { CheckPipeline } from '../src/gateway/checks/check-pipeline.js';
import { ConsentActiveCheck } from '../src/gateway/checks/consent-active.check.js';
import { ConsentDetailCheck } from '../src/gateway/checks/consent-detail.check.js';
import { ConsentToCheck } from '../src/gateway/checks/consent-to.check.js';
import { CoverageCheck } from '../src/gateway/checks/coverage.check.js';
import { OneTimeClaimCheck } from '../src/gateway/checks/one-time-claim.check.js';
import { PolicyTermsCheck } from '../src/gateway/checks/policy-terms.check.js';
import { RateLimitCheck } from '../src/gateway/checks/rate-limit.check.js';
import { ScopesCheck } from '../src/gateway/checks/scopes.check.js';
import { SubjectCheck } from '../src/gateway/checks/subject.check.js';
import { TokenCheck, type TokenVerification } from '../src/gateway/checks/token.check.js';
import { DailyCallCounter } from '../src/gateway/daily-call-counter.js';
import type { DailyCallsRepository } from '../src/gateway/daily-calls.repository.js';
import { GatewayCall } from '../src/gateway/gateway-call.js';
import { ApiMetrics } from '../src/gateway/gateway-metrics.js';
import {
  principal,
  route,
  storedState,
  CONSENT_ID,
  FROM_PID,
  RESOURCE,
} from '../test/helpers/gateway-calls.js';

const CALLS = 500_000;

/** Every gateway rule of a policy, none refusing (the consent was created after the last change). */
const WITH_POLICY: StoredPolicyView = {
  ...NO_POLICY,
  maxValidity: 'P100Y',
  metadataValues: { inntektsaar: { pattern: '20[0-9]{2}' } },
  callsPerDay: 100_000_000,
  updatedAtMs: 0,
};

export async function benchGatewayChecks(): Promise<{
  nsPerCall: number;
  nsPerCallWithPolicy: number;
  passed: number;
}> {
  const without = await measure(null);
  const withPolicy = await measure(WITH_POLICY);
  return {
    nsPerCall: without.nsPerCall,
    nsPerCallWithPolicy: withPolicy.nsPerCall,
    passed: without.passed + withPolicy.passed,
  };
}

async function measure(ownerPolicy: StoredPolicyView | null): Promise<{ nsPerCall: number; passed: number }> {
  const p = principal();
  const policies = { peek: () => ownerPolicy, load: async () => ownerPolicy };
  const store = { total: async () => 0, addAndRead: async () => new Map(), pruneBefore: async () => {} };
  const counter = new DailyCallCounter(store as unknown as DailyCallsRepository);
  await counter.load(CONSENT_ID, Date.now());
  const verifier = { verifyCached: () => p } as unknown as TokenVerification;
  const stored = storedState();
  const policy = { identifier: RESOURCE, accessListMode: 'Enabled' as const };
  let passed = 0;
  const pipeline = new CheckPipeline(
    [
      new TokenCheck(verifier),
      new ScopesCheck(),
      new ConsentDetailCheck(() => undefined),
      new CoverageCheck(),
      new ConsentToCheck({ peek: () => stored, load: async () => stored }),
      new AccessListCheck(
        { peek: () => policy, load: async () => policy },
        { isAllowedCached: () => true, isAllowed: async () => true },
        () => undefined,
      ),
      new ConsentActiveCheck({ peek: () => stored, load: async () => stored }, 30_000),
      new SubjectCheck(),
      new PolicyTermsCheck(policies, () => undefined),
      new RateLimitCheck(new TokenBucketLimiter()),
      new BodySizeCheck(),
      new CallsPerDayCheck(policies, counter, () => undefined),
      new OneTimeClaimCheck({ claimFor: async () => 'never' }),
    ],
    {
      passed: () => passed++,
      refused: (_c, err) => {
        throw err;
      },
    },
  );
  const r = route({ subject: { in: 'header', name: 'X-Subject', key: 'x-subject' } });
  const headers = { authorization: 'Bearer reused', 'x-subject': FROM_PID };
  const req = {
    url: '/proxy/inntekt/income/2024',
    method: 'GET',
    headers,
    rawHeaders: Object.entries(headers).flat(),
  };
  const metrics = new ApiMetrics();
  const names = Object.keys(headers);
  const run = (n: number) => {
    for (let i = 0; i < n; i++)
      pipeline.run(new GatewayCall(req as never, {} as never, 'gw-1', r, '/income/2024', 0, metrics, names));
  };
  run(50_000); // warm-up: optimised code, memoised consent detail
  const t0 = performance.now();
  run(CALLS);
  const ns = ((performance.now() - t0) * 1e6) / CALLS;
  return { nsPerCall: Number(ns.toFixed(0)), passed };
}

if (process.argv[1]?.endsWith('gateway-checks.js'))
  void benchGatewayChecks().then((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
