/**
 * The gateway's checks (DESIGN §4.9) as small units. Each one looks at what is known about the
 * call (`GatewayCall`) and answers with a `Verdict`:
 *
 * - `PASS` (undefined): go on with the next check;
 * - a `DomainError`: refuse the call with that problem (its status and GW code);
 * - a `Need`: a value is missing from memory and must be loaded (a database read, a key fetch).
 *   The driver (CheckPipeline) starts the load, stores the value on the call with `keep`, and
 *   runs the same check again, without re-running the checks that already passed.
 *
 * A check may also throw; the driver treats that like a returned error. Checks are synchronous:
 * with everything in memory (the common case) a call passes all of them without a promise.
 */
import { DomainError } from '../../common/errors/domain-error.js';
import type { GatewayCall } from '../gateway-call.js';

export const PASS = undefined;

/**
 * A value a check needs loaded. One instance per check and kind of value, created once (not per
 * call): a check returns the same object every time, so a miss allocates nothing until the load.
 */
export class Need {
  constructor(
    /** What is loaded, for tests and messages ("resource policy", "consent state", …). */
    readonly what: string,
    /** Loads the value and stores it on the call (rejects with the refusal when it cannot). */
    readonly load: (call: GatewayCall) => Promise<void>,
  ) {}
}

export type Verdict = typeof PASS | DomainError | Need;

export interface GatewayCheck {
  /** For docs, tests and the order table in docs/architecture.md. */
  readonly name: string;
  run(call: GatewayCall): Verdict;
}

export function isRefusal(v: Verdict): v is DomainError {
  return v instanceof DomainError;
}
