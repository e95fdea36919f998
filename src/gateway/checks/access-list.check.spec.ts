import { describe, expect, it } from '@jest/globals';
import type { ResourcePolicy } from '../consent-state.js';
import { checkedCall, verdictOf, CONSUMER, RESOURCE } from '../../../test/helpers/gateway-calls.js';
import { AccessListCheck, type AccessListAnswers, type ResourcePolicies } from './access-list.check.js';

/** Policies and answers in memory, with what the database would say on a miss. */
function setup(o: {
  policy?: ResourcePolicy | null;
  cachedPolicy?: boolean;
  allowed?: boolean;
  cachedAnswer?: boolean;
}) {
  const asked: string[] = [];
  const policies: ResourcePolicies = {
    peek: () => (o.cachedPolicy ? o.policy : undefined),
    load: async (id) => {
      asked.push(`policy ${id}`);
      return o.policy ?? null;
    },
  };
  const lists = {
    isAllowedCached: () => (o.cachedAnswer ? o.allowed : undefined),
    isAllowed: async (org: string, resource: string, action: string) => {
      asked.push(`allowed ${org} ${resource} ${action}`);
      return o.allowed ?? false;
    },
  } as unknown as AccessListAnswers;
  const lookups: string[] = [];
  const check = new AccessListCheck(policies, lists, (c, hit) => lookups.push(`${c}:${hit}`));
  return { check, asked, lookups };
}

const enabled: ResourcePolicy = { identifier: RESOURCE, accessListMode: 'Enabled' };
const open: ResourcePolicy = { identifier: RESOURCE, accessListMode: 'Disabled' };

describe('AccessListCheck (403 GW-00008)', () => {
  it('passes from memory when the resource has no access list', () => {
    const { check, asked } = setup({ policy: open, cachedPolicy: true });
    expect(verdictOf(check.run(checkedCall()))).toBe('pass');
    expect(asked).toEqual([]);
  });

  it('answers from memory when the list answer is cached, counting the lookup', () => {
    const { check, lookups } = setup({
      policy: enabled,
      cachedPolicy: true,
      allowed: false,
      cachedAnswer: true,
    });
    expect(verdictOf(check.run(checkedCall()))).toBe('403 GW-00008');
    expect(lookups).toEqual(['access_list:true']);
  });

  it('needs the policy, then the answer, loaded on misses; each load stores its value on the call', async () => {
    const { check, asked, lookups } = setup({ policy: enabled, allowed: true });
    const call = checkedCall();
    expect(check.run(call)).toBe(check.needsPolicy);
    await check.needsPolicy.load(call);
    expect(call.policy).toEqual(enabled);
    expect(check.run(call)).toBe(check.needsAnswer);
    await check.needsAnswer.load(call);
    expect(verdictOf(check.run(call))).toBe('pass');
    expect(asked).toEqual([`policy ${RESOURCE}`, `allowed ${CONSUMER} ${RESOURCE} consent`]);
    expect(lookups).toEqual(['access_list:false']);
  });

  it('refuses a consumer the list does not hold, and a resource deleted since (403 GW-00006)', async () => {
    const denied = setup({ policy: enabled, cachedPolicy: true, allowed: false });
    const call = checkedCall();
    denied.check.run(call);
    await denied.check.needsAnswer.load(call);
    expect(verdictOf(denied.check.run(call))).toBe('403 GW-00008');
    const deleted = setup({ policy: null, cachedPolicy: true });
    expect(verdictOf(deleted.check.run(checkedCall()))).toBe('403 GW-00006');
  });
});
