/**
 * Rate limits (429 GW-00011 with `Retry-After`) per API and consumer and per API and consent.
 * Placed after every other refusal, so only calls that would otherwise pass take a token.
 */
import type { TokenBucketLimiter } from '../../common/rate-limit/token-bucket.limiter.js';
import type { GatewayCall } from '../gateway-call.js';
import * as E from '../gateway-errors.js';
import { PASS, type GatewayCheck, type Verdict } from './check.js';

export class RateLimitCheck implements GatewayCheck {
  readonly name = 'rate limit';

  constructor(private readonly limiter: TokenBucketLimiter) {}

  run(call: GatewayCall): Verdict {
    const { route } = call;
    const rl = route.rateLimit;
    if (!rl) return PASS;
    if (rl.perConsumer) {
      const wait = this.limiter.take(`${route.name}\u0000c\u0000${call.consumer}`, rl.perConsumer);
      if (wait > 0) return E.rateLimited(wait, 'consumer');
    }
    if (rl.perConsent) {
      const wait = this.limiter.take(`${route.name}\u0000k\u0000${call.detail!.id}`, rl.perConsent);
      if (wait > 0) return E.rateLimited(wait, 'consent');
    }
    return PASS;
  }
}
