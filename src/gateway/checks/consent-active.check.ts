/**
 * Consent active (401 GW-00009), effective on the next request across replicas.
 *
 * Local mode (default): the stored consent must exist, be accepted and unexpired, and equal the
 * token's (`from`, `to`, `validTo`, `consented`, rights). Token mode (consents held by an external
 * Altinn): the signed detail is trusted; `validTo` > now and `consented` ≤ now (with the clock
 * skew) are checked, and revocation lasts until the token expires (the stored state is still
 * read, for one-time consents this service holds: RT-7).
 */
import type { DomainError } from '../../common/errors/domain-error.js';
import type { ConsentDetail } from '../consent-detail.js';
import type { ConsentState } from '../consent-state.js';
import type { GatewayCall } from '../gateway-call.js';
import * as E from '../gateway-errors.js';
import { Need, PASS, type GatewayCheck, type Verdict } from './check.js';

/** Stored consent state by id, from memory (`peek`, undefined on a miss) or the database. */
export interface ConsentStates {
  peek(id: string): ConsentState | null | undefined;
  load(id: string): Promise<ConsentState | null>;
}

/**
 * Local mode: the stored consent must exist, be accepted and unexpired, and equal the token's.
 * Null when it does, else the refusal.
 */
export function storedConsentRefusal(
  detail: ConsentDetail,
  stored: ConsentState | null,
  now: number,
): DomainError | null {
  if (!stored) return E.consentInactive('The consent is unknown.');
  if (stored.status !== 'accepted' || stored.validToMs <= now)
    return E.consentInactive(`The consent is ${stored.validToMs <= now ? 'expired' : stored.status}.`);
  if (
    stored.fromUrn !== detail.fromUrn ||
    stored.toOrg !== detail.toOrg ||
    stored.consentedMs !== detail.consentedMs ||
    !termsMatch(stored, detail)
  )
    return E.consentInactive('The consent in the token does not match the stored consent.');
  return null;
}

/**
 * The token's terms are the consent's current ones, or those of an earlier version (minted
 * before an extension was approved: still within the consent, so valid until the token expires).
 */
function termsMatch(stored: ConsentState, detail: ConsentDetail): boolean {
  if (stored.validToMs === detail.validToMs && stored.rightsKey === detail.rightsKey) return true;
  return stored.earlier.some((t) => t.validToMs === detail.validToMs && t.rightsKey === detail.rightsKey);
}

export class ConsentActiveCheck implements GatewayCheck {
  readonly name = 'consent active';
  readonly needsState = new Need('consent state', async (call) => {
    call.stored = await this.states.load(call.detail!.id);
  });

  constructor(
    private readonly states: ConsentStates,
    private readonly clockSkewMs: number,
  ) {}

  run(call: GatewayCall): Verdict {
    const detail = call.detail!;
    const now = Date.now();
    const local = call.route.consentSource === 'local';
    if (!local) {
      if (detail.validToMs <= now) return E.consentInactive('The consent has expired.');
      if (detail.consentedMs > now + this.clockSkewMs)
        return E.consentInactive('The consent is not yet in force.');
    }
    // Token mode reads the stored state too: a one-time consent this service holds is claimed and
    // used up as in local mode (the one-time claim check). Trusting the token alone let it be used
    // any number of times and never marked `used` (red-team finding RT-7). Consents held
    // elsewhere are unknown here (null) and stay the external issuer's to count.
    if (call.stored === undefined) {
      const cached = this.states.peek(detail.id);
      if (cached === undefined) return this.needsState;
      call.stored = cached;
    }
    return local ? (storedConsentRefusal(detail, call.stored, now) ?? PASS) : PASS;
  }
}
