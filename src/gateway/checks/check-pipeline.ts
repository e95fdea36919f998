/**
 * The driver of the gateway's checks: runs them in order on a call, synchronously while each one
 * passes from memory. A check that needs a value loaded stops the run; once the load has stored
 * the value on the call, the run resumes at that same check (`call.step`), so the checks that
 * already passed are not run again. The first refusal (returned or thrown) ends the call.
 */
import type { GatewayCall } from '../gateway-call.js';
import { Need, PASS, type GatewayCheck } from './check.js';

/** Where a run ends: every check passed, or one refused (a DomainError or anything thrown). */
export interface CheckOutcome {
  passed(call: GatewayCall): void;
  refused(call: GatewayCall, err: unknown): void;
}

export class CheckPipeline {
  constructor(
    private readonly checks: readonly GatewayCheck[],
    private readonly outcome: CheckOutcome,
  ) {}

  /** The check names in the order they run. */
  get order(): string[] {
    return this.checks.map((c) => c.name);
  }

  /** Runs the checks from `call.step` on; never throws. */
  run(call: GatewayCall): void {
    const checks = this.checks;
    while (call.step < checks.length) {
      let verdict;
      try {
        verdict = checks[call.step].run(call);
      } catch (err) {
        this.outcome.refused(call, err);
        return;
      }
      if (verdict === PASS) {
        call.step++;
      } else if (verdict instanceof Need) {
        this.waitFor(call, verdict);
        return;
      } else {
        this.outcome.refused(call, verdict);
        return;
      }
    }
    this.outcome.passed(call);
  }

  private waitFor(call: GatewayCall, need: Need): void {
    let load: Promise<void>;
    try {
      load = need.load(call);
    } catch (err) {
      this.outcome.refused(call, err);
      return;
    }
    load.then(
      () => this.run(call),
      (err: unknown) => this.outcome.refused(call, err),
    );
  }
}
