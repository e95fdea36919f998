/** The consent's rights give the API's action on one of its resources (403 GW-00006). */
import { findMatchingRight } from '../consent-detail.js';
import type { GatewayCall } from '../gateway-call.js';
import * as E from '../gateway-errors.js';
import { PASS, type GatewayCheck, type Verdict } from './check.js';

export class CoverageCheck implements GatewayCheck {
  readonly name = 'coverage';

  run(call: GatewayCall): Verdict {
    const { route } = call;
    const match = findMatchingRight(call.detail!, route.consentResources, route.requiredAction);
    if (!match) return E.consentCoverage(route.requiredAction);
    call.match = match;
    return PASS;
  }
}
