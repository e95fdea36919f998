/**
 * The owner's policy of the resource a call is made under (docs/consent-lifecycle.md), as the
 * policy checks read it: from memory, where a resource without a policy is a cached `null`, so
 * such a resource costs each check one map read and nothing else.
 */
import type { StoredPolicyView } from '../../resources/resource-policy.view.js';
import type { GatewayCall } from '../gateway-call.js';
import { Need } from './check.js';

/** Policies by resource identifier, from memory (`peek`, undefined on a miss) or the database. */
export interface OwnerPolicies {
  peek(resource: string): Readonly<StoredPolicyView> | null | undefined;
  load(resource: string): Promise<Readonly<StoredPolicyView> | null>;
}

/** One per check (a `Need` is created once, not per call). */
export function needOwnerPolicy(policies: OwnerPolicies): Need {
  return new Need('resource policy', async (call) => {
    call.ownerPolicy = await policies.load(call.match!.resource);
  });
}

/**
 * Puts the policy on the call from memory. False on a miss: the check then returns its `Need`.
 * A later check finds it on the call (one lookup per call).
 */
export function peekOwnerPolicy(
  call: GatewayCall,
  policies: OwnerPolicies,
  countLookup: (cache: string, hit: boolean) => void,
): boolean {
  if (call.ownerPolicy !== undefined) return true;
  const cached = policies.peek(call.match!.resource);
  countLookup('resource_policy', cached !== undefined);
  if (cached === undefined) return false;
  call.ownerPolicy = cached;
  return true;
}
