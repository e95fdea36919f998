import { describe, expect, it } from '@jest/globals';
import { InvalidTokenError, KeysUnavailableError } from '../../common/auth/auth-errors.js';
import type { Principal } from '../../common/auth/principal.js';
import { newCall, principal, route, verdictOf } from '../../../test/helpers/gateway-calls.js';
import { bearerToken, TokenCheck, type TokenVerification } from './token.check.js';

/** A verifier over a fixed set of tokens: cached ones, ones verifiable now, and ones that need a key fetch. */
function verifier(o: {
  cached?: Principal;
  now?: Principal;
  later?: Principal;
  keysDown?: boolean;
}): TokenVerification {
  return {
    verifyCached: (t: string) => (t === 'cached' ? o.cached : undefined),
    verifyUncachedNow: (t: string) => {
      if (t === 'bad') throw new InvalidTokenError('signature');
      return t === 'now' ? o.now : undefined;
    },
    verify: async (t: string) => {
      if (o.keysDown) throw new KeysUnavailableError('keys down');
      if (t === 'later' && o.later) return o.later;
      throw new InvalidTokenError('signature');
    },
    // As in production (NODE_ENV=production): the refusal unchanged, no detail added.
    explain: (err: InvalidTokenError) => err,
  };
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('TokenCheck (401 GW-00003, 503 GW-00014)', () => {
  it('passes a cached token and marks the principal as reused', () => {
    const p = principal();
    const call = newCall({ headers: bearer('cached') });
    expect(verdictOf(new TokenCheck(verifier({ cached: p })).run(call))).toBe('pass');
    expect(call.principal).toBe(p);
    expect(call.reusedPrincipal).toBe(true);
    expect(call.consumer).toBe(p.consumer);
  });

  it('verifies a new token synchronously when the keys are at hand', () => {
    const call = newCall({ headers: bearer('now') });
    expect(verdictOf(new TokenCheck(verifier({ now: principal() })).run(call))).toBe('pass');
    expect(call.reusedPrincipal).toBe(false);
  });

  it('needs the issuer keys loaded otherwise, and passes once they came', async () => {
    const check = new TokenCheck(verifier({ later: principal() }));
    const call = newCall({ headers: bearer('later') });
    const v = check.run(call);
    expect(v).toBe(check.needsKeys);
    await check.needsKeys.load(call);
    expect(call.token).toBe('');
    expect(verdictOf(check.run(call))).toBe('pass');
  });

  it('maps a failed fetch to 503 GW-00014 and a bad token after the fetch to 401 GW-00003', async () => {
    const down = new TokenCheck(verifier({ keysDown: true }));
    const call = newCall({ headers: bearer('later') });
    down.run(call);
    await expect(down.needsKeys.load(call)).rejects.toMatchObject({ status: 503, code: 'GW-00014' });
    const bad = new TokenCheck(verifier({}));
    const call2 = newCall({ headers: bearer('unknown') });
    bad.run(call2);
    await expect(bad.needsKeys.load(call2)).rejects.toMatchObject({ status: 401, code: 'GW-00003' });
  });

  it('refuses a missing, malformed or invalid token with 401 GW-00003', () => {
    const check = new TokenCheck(verifier({}));
    expect(verdictOf(check.run(newCall()))).toBe('401 GW-00003');
    expect(verdictOf(check.run(newCall({ headers: { authorization: 'Basic abc' } })))).toBe('401 GW-00003');
    expect(verdictOf(check.run(newCall({ headers: bearer('bad') })))).toBe('401 GW-00003');
  });

  it("requires the API's audience in `aud` when the API sets one", () => {
    const r = route({ audience: 'https://api.test/inntekt' });
    const check = (aud: string | string[] | undefined) =>
      verdictOf(
        new TokenCheck(verifier({ cached: principal({ claims: { aud } }) })).run(
          newCall({ route: r, headers: bearer('cached') }),
        ),
      );
    expect(check(undefined)).toBe('401 GW-00003');
    expect(check('https://other.test/')).toBe('401 GW-00003');
    expect(check('https://api.test/inntekt')).toBe('pass');
    expect(check(['x', 'https://api.test/inntekt'])).toBe('pass');
  });
});

describe('bearerToken', () => {
  it('takes the exact form without a regex and defers anything else to the shared parser', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(verdictOf(bearerToken(undefined) as never)).toBe('401 GW-00003');
    expect(verdictOf(bearerToken('Bearer a b') as never)).toBe('401 GW-00003');
  });
});
