import { describe, expect, it } from '@jest/globals';
import type { ConsentState } from '../consent-state.js';
import {
  checkedCall,
  consentStates,
  consentDetailClaim,
  principal,
  storedState,
  verdictOf,
  CONSENT_ID,
  CONSUMER,
} from '../../../test/helpers/gateway-calls.js';
import { ConsentToCheck } from './consent-to.check.js';

/** The consent is to TO; the stored consent may name HANDLER (the test principal's org) as its handler. */
const TO = '984851006';
const HANDLER = CONSUMER;
const THIRD = '974760673';
const SUPPLIER = '910753282';

/** A token for the consent to TO, held by `consumer` (and a supplier acting for it, if any). */
function callBy(consumer: string, o: { supplier?: string; detail?: Record<string, unknown> } = {}) {
  const detail = consentDetailClaim({
    to: { authority: 'iso6523-actorid-upis', ID: `0192:${TO}` },
    ...o.detail,
  });
  return checkedCall({
    principal: principal({ consumer, supplier: o.supplier, authorizationDetails: [detail] }),
  });
}

const handled = (o: Partial<ConsentState> = {}) => storedState({ toOrg: TO, handledByOrg: HANDLER, ...o });
const run = (call: ReturnType<typeof callBy>, stored: ConsentState | null) =>
  verdictOf(new ConsentToCheck(consentStates(stored)).run(call));

describe('ConsentToCheck (403 GW-00007)', () => {
  it("passes the consent's own consumer from the token alone, without reading the stored consent", () => {
    const s = consentStates(null, false);
    expect(verdictOf(new ConsentToCheck(s).run(checkedCall()))).toBe('pass');
    expect(s.loads).toEqual([]);
  });

  it('refuses any other consumer of a consent that has no handler', () => {
    const other = checkedCall({ principal: principal({ consumer: THIRD }) });
    expect(verdictOf(new ConsentToCheck(consentStates(storedState())).run(other))).toBe('403 GW-00007');
  });

  it('passes the organisation the stored consent names as its handler (handledBy)', () => {
    expect(run(callBy(HANDLER), handled())).toBe('pass');
  });

  it('refuses a third organisation for a handled consent', () => {
    expect(run(callBy(THIRD), handled())).toBe('403 GW-00007');
  });

  it('refuses a handledBy claim in the token when the stored consent has no handler (tampered detail)', () => {
    const tampered = callBy(HANDLER, {
      detail: { handledBy: `urn:altinn:organization:identifier-no:${HANDLER}` },
    });
    expect(run(tampered, storedState({ toOrg: TO, handledByOrg: null }))).toBe('403 GW-00007');
  });

  it('refuses the handler when the stored `to` is not the token’s (a detail edited to another `to`)', () => {
    expect(run(callBy(HANDLER), handled({ toOrg: THIRD }))).toBe('403 GW-00007');
  });

  it('refuses a consent unknown here (held elsewhere, or deleted): no stored handler to trust', () => {
    expect(run(callBy(HANDLER), null)).toBe('403 GW-00007');
  });

  it('loads the stored consent on a miss, keeps it on the call, then judges it', async () => {
    const s = consentStates(handled(), false);
    const check = new ConsentToCheck(s);
    const call = callBy(HANDLER);
    expect(check.run(call)).toBe(check.needsState);
    await check.needsState.load(call);
    expect(s.loads).toEqual([CONSENT_ID]);
    expect(call.stored).toMatchObject({ handledByOrg: HANDLER });
    expect(verdictOf(check.run(call))).toBe('pass');
  });

  describe('suppliers', () => {
    it('passes a supplier acting for the handler (the consumer is the handler)', () => {
      expect(run(callBy(HANDLER, { supplier: SUPPLIER }), handled())).toBe('pass');
    });

    it('passes a supplier acting for `to` as before', () => {
      expect(run(callBy(TO, { supplier: SUPPLIER }), handled())).toBe('pass');
    });

    it('refuses a supplier that is itself the handler but acts for a third organisation', () => {
      const stored = handled({ handledByOrg: SUPPLIER });
      expect(run(callBy(THIRD, { supplier: SUPPLIER }), stored)).toBe('403 GW-00007');
    });

    it('refuses a supplier acting for a third organisation', () => {
      expect(run(callBy(THIRD, { supplier: SUPPLIER }), handled())).toBe('403 GW-00007');
    });
  });
});
