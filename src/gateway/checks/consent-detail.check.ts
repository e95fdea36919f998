/**
 * Exactly one `urn:altinn:consent` authorization detail (403 GW-00005; a malformed field inside
 * it: 401 GW-00009). The parsed detail is memoised per cached principal (principals are cached
 * per token), and per consent id, so a new token of a known consent is compared, not re-parsed.
 */
import { DomainError } from '../../common/errors/domain-error.js';
import type { Principal } from '../../common/auth/principal.js';
import { ConsentDetailMemo, parseConsentDetail, type ConsentDetail } from '../consent-detail.js';
import type { GatewayCall } from '../gateway-call.js';
import { PASS, type GatewayCheck, type Verdict } from './check.js';

export class ConsentDetailCheck implements GatewayCheck {
  readonly name = 'consent detail';
  /** Parsed consent detail (or its refusal) per verified principal. */
  private readonly details = new WeakMap<Principal, ConsentDetail | DomainError>();
  private readonly memo = new ConsentDetailMemo();

  constructor(private readonly countLookup: (cache: string, hit: boolean) => void) {}

  run(call: GatewayCall): Verdict {
    const d = this.detailOf(call.principal!, call.reusedPrincipal);
    if (d instanceof DomainError) return d;
    call.detail = d;
    call.consent = d.id;
    return PASS;
  }

  /**
   * A principal verified just now is usually a token's first use and garbage after this call:
   * memoising it would only add to the WeakMap the garbage collector must process, so it is
   * parsed without being remembered.
   */
  private detailOf(principal: Principal, memoise: boolean): ConsentDetail | DomainError {
    let d = memoise ? this.details.get(principal) : undefined;
    if (d !== undefined) {
      this.countLookup('token', true);
      return d;
    }
    this.countLookup('token', false);
    try {
      d = parseConsentDetail(principal.authorizationDetails, this.memo);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      d = err;
    }
    if (memoise) this.details.set(principal, d);
    return d;
  }
}
