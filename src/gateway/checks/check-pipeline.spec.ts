import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../../common/errors/domain-error.js';
import type { GatewayCall } from '../gateway-call.js';
import { newCall } from '../../../test/helpers/gateway-calls.js';
import { Need, PASS, type GatewayCheck, type Verdict } from './check.js';
import { CheckPipeline, type CheckOutcome } from './check-pipeline.js';

/** A check that records its runs and answers from a script (one verdict per run). */
function scripted(name: string, log: string[], ...verdicts: Array<() => Verdict>): GatewayCheck {
  let i = 0;
  return {
    name,
    run: () => {
      log.push(name);
      return verdicts[Math.min(i++, verdicts.length - 1)]();
    },
  };
}

function outcome(log: string[]): CheckOutcome & { settled: Promise<void> } {
  let settle!: () => void;
  const settled = new Promise<void>((r) => (settle = r));
  return {
    settled,
    passed: () => {
      log.push('passed');
      settle();
    },
    refused: (_call: GatewayCall, err: unknown) => {
      log.push(`refused ${err instanceof DomainError ? err.code : String(err)}`);
      settle();
    },
  };
}

const refuse = new DomainError(403, 'GW-00004', 'no');

describe('CheckPipeline', () => {
  it('runs the checks in order synchronously when each passes from memory', () => {
    const log: string[] = [];
    const pipeline = new CheckPipeline(
      [scripted('a', log, () => PASS), scripted('b', log, () => PASS)],
      outcome(log),
    );
    pipeline.run(newCall());
    expect(log).toEqual(['a', 'b', 'passed']);
    expect(pipeline.order).toEqual(['a', 'b']);
  });

  it('stops at the first refusal, returned or thrown', () => {
    const log: string[] = [];
    new CheckPipeline([scripted('a', log, () => refuse), scripted('b', log, () => PASS)], outcome(log)).run(
      newCall(),
    );
    const thrown: string[] = [];
    new CheckPipeline(
      [
        scripted('a', thrown, () => {
          throw refuse;
        }),
      ],
      outcome(thrown),
    ).run(newCall());
    expect(log).toEqual(['a', 'refused GW-00004']);
    expect(thrown).toEqual(['a', 'refused GW-00004']);
  });

  it('after a load resumes at the check that needed it, without re-running those that passed', async () => {
    const log: string[] = [];
    const need = new Need('x', async (call) => {
      log.push('load');
      call.consent = 'loaded';
    });
    const o = outcome(log);
    const call = newCall();
    new CheckPipeline(
      [
        scripted('a', log, () => PASS),
        scripted('b', log, () => (call.consent === 'loaded' ? PASS : need)),
        scripted('c', log, () => PASS),
      ],
      o,
    ).run(call);
    expect(log).toEqual(['a', 'b', 'load']);
    await o.settled;
    expect(log).toEqual(['a', 'b', 'load', 'b', 'c', 'passed']);
  });

  it('refuses with the error a failed load rejects with', async () => {
    const log: string[] = [];
    const o = outcome(log);
    const failing = new Need('x', async () => {
      throw new DomainError(503, 'GW-00015', 'database down');
    });
    new CheckPipeline([scripted('a', log, () => failing)], o).run(newCall());
    await o.settled;
    expect(log).toEqual(['a', 'refused GW-00015']);
  });
});
