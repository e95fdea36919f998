/**
 * The consent's terms within the resource's current policy (403 GW-00018; the rules are in
 * resources/resource-policy.view.ts), applied to the consent the call is made under.
 *
 * Whom it applies to (docs/consent-lifecycle.md): a consent created before the policy last changed
 * keeps the terms it was given, unless the owner set `applyToExistingConsents` (e.g. after a fraud
 * case). A consent created under the current policy was checked against it then; its acceptance
 * is later than its creation, so it passes here too. Consents held by an external Altinn (token
 * mode, unknown here) were never checked at creation: their acceptance time stands in for it.
 */
import { consentTermsProblem } from '../../resources/resource-policy.view.js';
import type { StoredPolicyView } from '../../resources/resource-policy.view.js';
import type { ConsentDetail } from '../consent-detail.js';
import type { GatewayCall } from '../gateway-call.js';
import * as E from '../gateway-errors.js';
import { PASS, type GatewayCheck, type Verdict } from './check.js';
import { needOwnerPolicy, peekOwnerPolicy, type OwnerPolicies } from './owner-policy.js';

/**
 * The last answer per consent detail. The detail is memoised per verified token and the policy
 * object lives until the policy changes, so a reused token meets the same pair on every call:
 * one WeakMap read instead of date arithmetic and pattern matching (about 1 µs). The answer
 * depends on nothing else (no clock: `maxValidity` counts from the acceptance).
 */
const answers = new WeakMap<
  ConsentDetail,
  { policy: object; resource: string; acceptedMs: number; problem: string | null }
>();

function memoisedTermsProblem(
  detail: ConsentDetail,
  resource: string,
  policy: Readonly<StoredPolicyView>,
  acceptedMs: number,
): string | null {
  const last = answers.get(detail);
  if (
    last !== undefined &&
    last.policy === policy &&
    last.resource === resource &&
    last.acceptedMs === acceptedMs
  )
    return last.problem;
  const terms = acceptedMs === detail.consentedMs ? detail : { ...detail, consentedMs: acceptedMs };
  const problem = consentTermsProblem(terms, resource, policy);
  answers.set(detail, { policy, resource, acceptedMs, problem });
  return problem;
}

export class PolicyTermsCheck implements GatewayCheck {
  readonly name = 'policy terms';
  readonly needsPolicy;

  constructor(
    private readonly policies: OwnerPolicies,
    private readonly countLookup: (cache: string, hit: boolean) => void,
  ) {
    this.needsPolicy = needOwnerPolicy(policies);
  }

  run(call: GatewayCall): Verdict {
    if (!peekOwnerPolicy(call, this.policies, this.countLookup)) return this.needsPolicy;
    const policy = call.ownerPolicy;
    if (!policy || (!policy.maxValidity && !policy.metadataValues)) return PASS;
    const detail = call.detail!;
    const stored = call.stored;
    if (!policy.applyToExistingConsents) {
      // The time the consent's terms were set and checked: its creation here (or the approval of
      // an extension, which was checked when asked), or (held by an external Altinn) its acceptance.
      const termsSetMs = stored ? stored.termsSetMs : detail.consentedMs;
      if (termsSetMs < policy.updatedAtMs) return PASS;
    }
    // maxValidity counts from the acceptance of the terms in force: `consented` (the first
    // acceptance) unless the consent was extended since.
    const acceptedMs = stored?.termsAcceptedMs ?? detail.consentedMs;
    const problem = memoisedTermsProblem(detail, call.match!.resource, policy, acceptedMs);
    return problem === null ? PASS : E.policyTerms(problem);
  }
}
