import { describe, expect, it } from '@jest/globals';
import type { ConsentState } from '../consent-state.js';
import {
  checkedCall,
  consentStates,
  route,
  storedState,
  verdictOf,
  CONSENT_ID,
} from '../../../test/helpers/gateway-calls.js';
import { ConsentActiveCheck } from './consent-active.check.js';

const local = (stored: ConsentState | null) =>
  verdictOf(new ConsentActiveCheck(consentStates(stored, true), 30_000).run(checkedCall()));

describe('ConsentActiveCheck, local mode (401 GW-00009)', () => {
  it('passes an accepted, unexpired consent equal to the token', () => {
    expect(local(storedState())).toBe('pass');
  });

  it('refuses unknown, revoked, used, expired and mismatched consents', () => {
    expect(local(null)).toBe('401 GW-00009');
    expect(local(storedState({ status: 'revoked' }))).toBe('401 GW-00009');
    expect(local(storedState({ status: 'used' }))).toBe('401 GW-00009');
    expect(local(storedState({ validToMs: Date.now() - 1 }))).toBe('401 GW-00009');
    expect(local(storedState({ fromUrn: 'urn:altinn:person:identifier-no:02013299997' }))).toBe(
      '401 GW-00009',
    );
    expect(local(storedState({ toOrg: '974760673' }))).toBe('401 GW-00009');
    expect(local(storedState({ consentedMs: 0 }))).toBe('401 GW-00009');
    expect(local(storedState({ rightsKey: 'other' }))).toBe('401 GW-00009');
  });

  it('passes a token of an earlier version of an extended consent, and no other older terms', () => {
    const token = storedState();
    const extended = (earlier: ConsentState['earlier']) =>
      storedState({ validToMs: token.validToMs + 365 * 86_400_000, earlier });
    expect(local(extended([{ validToMs: token.validToMs, rightsKey: token.rightsKey }]))).toBe('pass');
    expect(local(extended([]))).toBe('401 GW-00009');
    expect(local(extended([{ validToMs: token.validToMs - 1, rightsKey: token.rightsKey }]))).toBe(
      '401 GW-00009',
    );
    expect(local(extended([{ validToMs: token.validToMs, rightsKey: 'other' }]))).toBe('401 GW-00009');
  });

  it('needs the stored state loaded on a miss, then judges it', async () => {
    const s = consentStates(storedState({ status: 'revoked' }), false);
    const check = new ConsentActiveCheck(s, 30_000);
    const call = checkedCall();
    expect(check.run(call)).toBe(check.needsState);
    await check.needsState.load(call);
    expect(s.loads).toEqual([CONSENT_ID]);
    expect(verdictOf(check.run(call))).toBe('401 GW-00009');
  });
});

describe('ConsentActiveCheck, token mode', () => {
  const tokenMode = route({ consentSource: 'token' });
  /** Held elsewhere: the stored state is unknown here (null), and the signed detail is trusted. */
  const run = (detail: { validToMs?: number; consentedMs?: number }) => {
    const call = checkedCall({ route: tokenMode });
    call.detail = { ...call.detail!, ...detail };
    return verdictOf(new ConsentActiveCheck(consentStates(null, true), 30_000).run(call));
  };

  it('trusts the signed detail within its validity, with the clock skew on `consented`', () => {
    expect(run({})).toBe('pass');
    expect(run({ consentedMs: Date.now() + 20_000 })).toBe('pass');
  });

  it('refuses an expired consent and one not yet in force', () => {
    expect(run({ validToMs: Date.now() - 1 })).toBe('401 GW-00009');
    expect(run({ consentedMs: Date.now() + 60_000 })).toBe('401 GW-00009');
  });

  it('reads the stored state (a one-time consent held here is claimed and used up: RT-7) without judging it', async () => {
    const s = consentStates(storedState({ status: 'revoked', isOneTime: true }), false);
    const check = new ConsentActiveCheck(s, 30_000);
    const call = checkedCall({ route: tokenMode });
    expect(check.run(call)).toBe(check.needsState);
    await check.needsState.load(call);
    expect(verdictOf(check.run(call))).toBe('pass');
    expect(call.stored?.isOneTime).toBe(true);
  });
});
