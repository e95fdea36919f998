/**
 * One-time consent (401 GW-00009): claim it across replicas, then confirm against the database
 * (not the cache) that it is still usable, so a call that raced another call's `used` cannot
 * pass. Last of the checks: a claim is only taken by a call that will be forwarded.
 */
import type { GatewayCall } from '../gateway-call.js';
import { Need, PASS, type GatewayCheck, type Verdict } from './check.js';

/** Takes the claim for the call (rejects with the refusal when another call holds it). */
export interface ClaimTaker {
  claimFor(call: GatewayCall): Promise<string>;
}

export class OneTimeClaimCheck implements GatewayCheck {
  readonly name = 'one-time claim';
  readonly needsClaim = new Need('one-time claim', async (call) => {
    call.claim = await this.claims.claimFor(call);
  });

  constructor(private readonly claims: ClaimTaker) {}

  run(call: GatewayCall): Verdict {
    if (call.stored?.isOneTime !== true || call.claim !== null) return PASS;
    return this.needsClaim;
  }
}
