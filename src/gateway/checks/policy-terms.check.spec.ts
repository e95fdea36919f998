import { describe, expect, it } from '@jest/globals';
import { NO_POLICY, type StoredPolicyView } from '../../resources/resource-policy.view.js';
import {
  CONSENTED,
  checkedCall,
  consentDetailClaim,
  principal,
  storedState,
  verdictOf,
} from '../../../test/helpers/gateway-calls.js';
import type { OwnerPolicies } from './owner-policy.js';
import { PolicyTermsCheck } from './policy-terms.check.js';

const consentedMs = Date.parse(CONSENTED);
/** Changed after the consent was created and accepted. */
const changedLater = consentedMs + 86_400_000;

function policy(o: Partial<StoredPolicyView> = {}): StoredPolicyView {
  return { ...NO_POLICY, updatedAtMs: consentedMs - 86_400_000, ...o };
}

function setup(p: StoredPolicyView | null, cached = true) {
  const loads: string[] = [];
  const lookups: string[] = [];
  const policies: OwnerPolicies = {
    peek: () => (cached ? p : undefined),
    load: async (r) => {
      loads.push(r);
      return p;
    },
  };
  return { check: new PolicyTermsCheck(policies, (c, hit) => lookups.push(`${c}:${hit}`)), loads, lookups };
}

/** A local call whose stored consent was created a minute before its acceptance. */
function call(claims: Record<string, unknown> = {}) {
  const c = checkedCall({ principal: principal({ authorizationDetails: [consentDetailClaim(claims)] }) });
  c.stored = storedState();
  return c;
}

describe('PolicyTermsCheck (403 GW-00018)', () => {
  it('passes a resource without a policy from one cached lookup', () => {
    const { check, loads, lookups } = setup(null);
    expect(verdictOf(check.run(call()))).toBe('pass');
    expect(loads).toEqual([]);
    expect(lookups).toEqual(['resource_policy:true']);
  });

  it('asks for the policy on a miss, and passes once it is on the call', async () => {
    const { check, loads } = setup(policy({ callsPerDay: 5 }), false);
    const c = call();
    const v = check.run(c);
    expect(verdictOf(v)).toBe('needs resource policy');
    await (v as { load: (x: typeof c) => Promise<void> }).load(c);
    expect(loads).toEqual(['ske-samtykke-sbl-inntekt']);
    expect(verdictOf(check.run(c))).toBe('pass');
  });

  it('refuses a consent valid for longer than maxValidity from its acceptance', () => {
    const { check } = setup(policy({ maxValidity: 'P1Y' }));
    const v = check.run(call());
    expect(verdictOf(v)).toBe('403 GW-00018');
    expect((v as Error).message).toContain('at most P1Y');
  });

  it('passes a consent within maxValidity counted from its acceptance', () => {
    const validTo = new Date(consentedMs + 300 * 86_400_000).toISOString();
    const { check } = setup(policy({ maxValidity: 'P1Y' }));
    expect(verdictOf(check.run(call({ validTo })))).toBe('pass');
  });

  it('refuses a metadata value the policy does not allow (keys compared case-insensitively)', () => {
    const { check } = setup(policy({ metadataValues: { INNTEKTSAAR: { enum: ['2025'] } } }));
    expect(verdictOf(check.run(call()))).toBe('403 GW-00018');
  });

  it('passes allowed metadata values and ignores rules for keys the consent does not carry', () => {
    const { check } = setup(
      policy({ metadataValues: { inntektsaar: { pattern: '20[0-9]{2}' }, kontonr: { enum: ['1'] } } }),
    );
    expect(verdictOf(check.run(call()))).toBe('pass');
  });

  it('counts maxValidity of an extended consent from the approval of its current version, not the first acceptance', () => {
    // Accepted for 300 days, extended 200 days later to 500 days after the first acceptance: the
    // extension was checked against P1Y when asked, so the gateway must not refuse it.
    const approvedMs = consentedMs + 200 * 86_400_000;
    const validTo = new Date(consentedMs + 500 * 86_400_000).toISOString();
    const { check } = setup(policy({ maxValidity: 'P1Y' }));
    const c = call({ validTo });
    expect(verdictOf(check.run(c))).toBe('403 GW-00018'); // as version 1 it would break P1Y
    const extended = call({ validTo });
    extended.stored = storedState({ termsSetMs: approvedMs, termsAcceptedMs: approvedMs });
    expect(verdictOf(check.run(extended))).toBe('pass');
  });

  it('judges an extension approved after the policy changed by the current policy', () => {
    const approvedMs = changedLater + 1;
    const validTo = new Date(approvedMs + 400 * 86_400_000).toISOString();
    const { check } = setup(policy({ maxValidity: 'P1Y', updatedAtMs: changedLater }));
    const c = call({ validTo });
    c.stored = storedState({ termsSetMs: approvedMs, termsAcceptedMs: approvedMs });
    expect(verdictOf(check.run(c))).toBe('403 GW-00018');
  });

  it('lets a consent created before the policy changed keep its terms', () => {
    const { check } = setup(policy({ maxValidity: 'P1Y', updatedAtMs: changedLater }));
    expect(verdictOf(check.run(call()))).toBe('pass');
  });

  it('holds a consent created before the change to the policy when the owner applies it to existing consents', () => {
    const { check } = setup(
      policy({ maxValidity: 'P1Y', updatedAtMs: changedLater, applyToExistingConsents: true }),
    );
    expect(verdictOf(check.run(call()))).toBe('403 GW-00018');
  });

  it("dates an external consent's terms (token mode, not stored here) from its acceptance", () => {
    const { check } = setup(policy({ maxValidity: 'P1Y', updatedAtMs: consentedMs - 1 }));
    const c = call();
    c.stored = null;
    expect(verdictOf(check.run(c))).toBe('403 GW-00018');
    const before = setup(policy({ maxValidity: 'P1Y', updatedAtMs: consentedMs + 1 }));
    const external = call();
    external.stored = null;
    expect(verdictOf(before.check.run(external))).toBe('pass');
  });

  it('answers again when the policy object changes (a new policy after a change), not from the last answer', () => {
    const strict = setup(policy({ metadataValues: { inntektsaar: { enum: ['2025'] } } }));
    const loose = setup(policy({ metadataValues: { inntektsaar: { enum: ['2024'] } } }));
    const principalOnce = principal();
    // The same parsed detail on both calls, as for a reused token.
    const first = checkedCall({ principal: principalOnce });
    first.stored = storedState();
    expect(verdictOf(strict.check.run(first))).toBe('403 GW-00018');
    const second = checkedCall({ principal: principalOnce });
    second.stored = storedState();
    second.detail = first.detail;
    second.match = first.match;
    expect(verdictOf(strict.check.run(second))).toBe('403 GW-00018');
    const third = checkedCall({ principal: principalOnce });
    third.stored = storedState();
    third.detail = first.detail;
    third.match = first.match;
    expect(verdictOf(loose.check.run(third))).toBe('pass');
  });
});
