import { describe, expect, it } from '@jest/globals';
import { checkedCall, storedState, verdictOf } from '../../../test/helpers/gateway-calls.js';
import { OneTimeClaimCheck } from './one-time-claim.check.js';

describe('OneTimeClaimCheck (401 GW-00009)', () => {
  const claims = (answer: string | Error) => ({
    taken: 0,
    async claimFor() {
      this.taken++;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  });

  it('passes a consent that is not one-time without claiming', () => {
    const c = claims('tok');
    const call = checkedCall();
    call.stored = storedState();
    expect(verdictOf(new OneTimeClaimCheck(c).run(call))).toBe('pass');
    expect(c.taken).toBe(0);
  });

  it('needs a claim for a one-time consent, then passes holding it', async () => {
    const c = claims('tok');
    const check = new OneTimeClaimCheck(c);
    const call = checkedCall();
    call.stored = storedState({ isOneTime: true });
    expect(check.run(call)).toBe(check.needsClaim);
    await check.needsClaim.load(call);
    expect(call.claim).toBe('tok');
    expect(verdictOf(check.run(call))).toBe('pass');
    expect(c.taken).toBe(1);
  });

  it('passes the refusal of a claim that another call holds on', async () => {
    const check = new OneTimeClaimCheck(claims(new Error('held')));
    const call = checkedCall();
    call.stored = storedState({ isOneTime: true });
    check.run(call);
    await expect(check.needsClaim.load(call)).rejects.toThrow('held');
    expect(call.claim).toBeNull();
  });
});
