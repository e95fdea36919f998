import { describe, expect, it } from '@jest/globals';
import {
  consentDetailClaim,
  newCall,
  principal,
  verdictOf,
  CONSENT_ID,
} from '../../../test/helpers/gateway-calls.js';
import { ConsentDetailCheck } from './consent-detail.check.js';

function run(authorizationDetails: unknown, reused = false, lookups: string[] = []) {
  const check = new ConsentDetailCheck((cache, hit) => lookups.push(`${cache}:${hit}`));
  const call = newCall();
  call.principal = principal({ authorizationDetails });
  call.reusedPrincipal = reused;
  return { verdict: verdictOf(check.run(call)), call, check };
}

describe('ConsentDetailCheck (403 GW-00005, 401 GW-00009)', () => {
  it('keeps the parsed detail and the consent id on the call', () => {
    const { verdict, call } = run([consentDetailClaim()]);
    expect(verdict).toBe('pass');
    expect(call.detail?.id).toBe(CONSENT_ID);
    expect(call.consent).toBe(CONSENT_ID);
  });

  it('refuses none, several or a malformed list with 403 GW-00005', () => {
    expect(run(undefined).verdict).toBe('403 GW-00005');
    expect(run([]).verdict).toBe('403 GW-00005');
    expect(run([consentDetailClaim(), consentDetailClaim()]).verdict).toBe('403 GW-00005');
    expect(run({ type: 'urn:altinn:consent' }).verdict).toBe('403 GW-00005');
  });

  it('refuses a malformed field inside the detail with 401 GW-00009', () => {
    expect(run([consentDetailClaim({ validTo: 'soon' })]).verdict).toBe('401 GW-00009');
    expect(run([consentDetailClaim({ id: 'not-a-uuid' })]).verdict).toBe('401 GW-00009');
  });

  it('memoises the answer per reused principal only, counting token-cache hits and misses', () => {
    const lookups: string[] = [];
    const check = new ConsentDetailCheck((cache, hit) => lookups.push(`${cache}:${hit}`));
    const p = principal({ authorizationDetails: [] });
    for (const reused of [true, true, false]) {
      const call = newCall();
      call.principal = p;
      call.reusedPrincipal = reused;
      expect(verdictOf(check.run(call))).toBe('403 GW-00005');
    }
    expect(lookups).toEqual(['token:false', 'token:true', 'token:false']);
  });
});
