import { describe, expect, it } from '@jest/globals';
import { NO_POLICY, type StoredPolicyView } from '../../resources/resource-policy.view.js';
import { CONSENT_ID, checkedCall, verdictOf } from '../../../test/helpers/gateway-calls.js';
import type { TakeResult } from '../daily-call-counter.js';
import { CallsPerDayCheck, type CallCounter } from './calls-per-day.check.js';
import type { OwnerPolicies } from './owner-policy.js';

function setup(p: StoredPolicyView | null, answers: TakeResult[] = []) {
  const taken: Array<[string, number]> = [];
  const loaded: string[] = [];
  const counter: CallCounter = {
    take: (consent, limit) => {
      taken.push([consent, limit]);
      return answers.shift() ?? 'taken';
    },
    load: async (consent) => {
      loaded.push(consent);
    },
  };
  const policies: OwnerPolicies = { peek: () => p, load: async () => p };
  return { check: new CallsPerDayCheck(policies, counter, () => undefined), taken, loaded };
}

const limited = (n: number): StoredPolicyView => ({ ...NO_POLICY, callsPerDay: n, updatedAtMs: 0 });

describe('CallsPerDayCheck (429 GW-00017)', () => {
  it('counts nothing for a resource without a policy or without callsPerDay', () => {
    for (const p of [null, { ...NO_POLICY, updatedAtMs: 0 }]) {
      const { check, taken } = setup(p);
      expect(verdictOf(check.run(checkedCall()))).toBe('pass');
      expect(taken).toEqual([]);
    }
  });

  it("takes one of the consent's calls for the day under the resource's limit", () => {
    const { check, taken } = setup(limited(3));
    expect(verdictOf(check.run(checkedCall()))).toBe('pass');
    expect(taken).toEqual([[CONSENT_ID, 3]]);
  });

  it("asks for today's count when the counter does not know the consent yet", async () => {
    const { check, loaded } = setup(limited(3), ['unknown', 'taken']);
    const call = checkedCall();
    const v = check.run(call);
    expect(verdictOf(v)).toBe("needs today's call count");
    await (v as { load: (c: typeof call) => Promise<void> }).load(call);
    expect(loaded).toEqual([CONSENT_ID]);
    expect(verdictOf(check.run(call))).toBe('pass');
  });

  it('refuses with Retry-After up to the next UTC midnight when the day is used up', () => {
    const { check } = setup(limited(3), ['full']);
    const v = check.run(checkedCall());
    expect(verdictOf(v)).toBe('429 GW-00017');
    const now = Date.now();
    const toMidnight = Math.ceil((Math.floor(now / 86_400_000 + 1) * 86_400_000 - now) / 1000);
    const retry = Number((v as { headers?: Record<string, string> }).headers?.['Retry-After']);
    expect(retry).toBeGreaterThanOrEqual(Math.max(1, toMidnight - 2));
    expect(retry).toBeLessThanOrEqual(Math.max(1, toMidnight));
  });
});
