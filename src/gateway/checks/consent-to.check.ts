/**
 * The consent was given to the caller (403 GW-00007): the token's consumer is the consent's `to`,
 * or the organisation that handles the consent for `to` (`handledBy`, set when a `.org` caller
 * made the request for another organisation; the token endpoint issues such a consent to its
 * handler, as Altinn's Maskinporten lookup does).
 *
 * `to` is compared with the signed detail, from memory. `handledBy` is never read from the token:
 * the detail does not carry it, and a claim someone added would prove nothing about the stored
 * consent. So the handler is accepted only when the STORED consent names it — a consent held
 * elsewhere (token mode, unknown here) has no stored handler and stays GW-00007. A supplier acts
 * for its token's `consumer`: that consumer must be `to` or the handler (never the supplier's own
 * org standing in for either).
 */
import type { GatewayCall } from '../gateway-call.js';
import * as E from '../gateway-errors.js';
import type { ConsentStates } from './consent-active.check.js';
import { Need, PASS, type GatewayCheck, type Verdict } from './check.js';

export class ConsentToCheck implements GatewayCheck {
  readonly name = 'consent to';
  /** Loads the stored consent (kept on the call: the consent-active check reuses it). */
  readonly needsState = new Need('consent state', async (call) => {
    call.stored = await this.states.load(call.detail!.id);
  });

  constructor(private readonly states: ConsentStates) {}

  run(call: GatewayCall): Verdict {
    const consumer = call.principal!.consumer;
    // The common case, decided from the token alone: no state read on the hot path.
    if (call.detail!.toOrg === consumer) return PASS;
    if (call.stored === undefined) {
      const cached = this.states.peek(call.detail!.id);
      if (cached === undefined) return this.needsState;
      call.stored = cached;
    }
    const stored = call.stored;
    // The stored `to` must still be the token's: a handler is a handler of THIS consent's `to`.
    return stored !== null && stored.toOrg === call.detail!.toOrg && stored.handledByOrg === consumer
      ? PASS
      : E.consentTo();
  }
}
