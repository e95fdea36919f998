/** The consent was given to the caller: its `to` is the token's consumer (403 GW-00007). */
import type { GatewayCall } from '../gateway-call.js';
import * as E from '../gateway-errors.js';
import { PASS, type GatewayCheck, type Verdict } from './check.js';

export class ConsentToCheck implements GatewayCheck {
  readonly name = 'consent to';

  run(call: GatewayCall): Verdict {
    return call.detail!.toOrg === call.principal!.consumer ? PASS : E.consentTo();
  }
}
