/**
 * Calls per consent per UTC day (the resource policy's `callsPerDay`; 429 GW-00017 with
 * `Retry-After` = seconds to the next UTC midnight). As Berlin Group's `frequencyPerDay`, it
 * counts accesses: a call counts when it has passed every other refusal and goes to the upstream,
 * whatever the upstream answers. Refused calls, this refusal included, never use up the quota,
 * so a client that retries too early does not push its own limit further away.
 *
 * The count is per consent across every API and replica (DailyCallCounter, where the bound on
 * overshoot between replicas is explained); the limit is that of the resource the call is made
 * under.
 */
import { secondsToUtcMidnight, type DailyCallCounter } from '../daily-call-counter.js';
import type { GatewayCall } from '../gateway-call.js';
import * as E from '../gateway-errors.js';
import { Need, PASS, type GatewayCheck, type Verdict } from './check.js';
import { needOwnerPolicy, peekOwnerPolicy, type OwnerPolicies } from './owner-policy.js';

export type CallCounter = Pick<DailyCallCounter, 'take' | 'load'>;

export class CallsPerDayCheck implements GatewayCheck {
  readonly name = 'calls per day';
  readonly needsPolicy: Need;
  readonly needsCount = new Need("today's call count", (call) =>
    this.counter.load(call.detail!.id, Date.now()),
  );

  constructor(
    private readonly policies: OwnerPolicies,
    private readonly counter: CallCounter,
    private readonly countLookup: (cache: string, hit: boolean) => void,
  ) {
    this.needsPolicy = needOwnerPolicy(policies);
  }

  run(call: GatewayCall): Verdict {
    if (!peekOwnerPolicy(call, this.policies, this.countLookup)) return this.needsPolicy;
    const limit = call.ownerPolicy?.callsPerDay;
    if (!limit) return PASS;
    const now = Date.now();
    const taken = this.counter.take(call.detail!.id, limit, now);
    if (taken === 'taken') return PASS;
    if (taken === 'unknown') return this.needsCount;
    return E.callsPerDayExceeded(limit, secondsToUtcMidnight(now));
  }
}
