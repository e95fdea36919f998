import { describe, expect, it } from '@jest/globals';
import { TokenBucketLimiter } from '../../common/rate-limit/token-bucket.limiter.js';
import { checkedCall, route, verdictOf } from '../../../test/helpers/gateway-calls.js';
import { RateLimitCheck } from './rate-limit.check.js';

describe('RateLimitCheck (429 GW-00011)', () => {
  it('passes an API without limits', () => {
    expect(verdictOf(new RateLimitCheck(new TokenBucketLimiter()).run(checkedCall()))).toBe('pass');
  });

  it('limits per consumer and per consent, with Retry-After', () => {
    const limited = route({ rateLimit: { perConsumer: { requests: 2, perSeconds: 60 } } });
    const check = new RateLimitCheck(new TokenBucketLimiter());
    expect(verdictOf(check.run(checkedCall({ route: limited })))).toBe('pass');
    expect(verdictOf(check.run(checkedCall({ route: limited })))).toBe('pass');
    const call = checkedCall({ route: limited });
    const v = check.run(call);
    expect(verdictOf(v)).toBe('429 GW-00011');
    expect(
      Number((v as { headers?: Record<string, string> }).headers?.['Retry-After']),
    ).toBeGreaterThanOrEqual(1);

    const perConsent = route({ rateLimit: { perConsent: { requests: 1, perSeconds: 60 } } });
    expect(verdictOf(check.run(checkedCall({ route: perConsent })))).toBe('pass');
    expect(verdictOf(check.run(checkedCall({ route: perConsent })))).toBe('429 GW-00011');
  });
});
