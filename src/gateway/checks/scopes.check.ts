/** Scopes (403 GW-00004): every scope the API requires; a token without a `scope` claim is refused too. */
import type { GatewayCall } from '../gateway-call.js';
import * as E from '../gateway-errors.js';
import { PASS, type GatewayCheck, type Verdict } from './check.js';

export class ScopesCheck implements GatewayCheck {
  readonly name = 'scopes';

  run(call: GatewayCall): Verdict {
    const principal = call.principal!;
    const required = call.route.requiredScopes;
    if (principal.claims.scope === undefined) return E.insufficientScope(required);
    for (const s of required) if (!principal.scopes.has(s)) return E.insufficientScope(required);
    return PASS;
  }
}
