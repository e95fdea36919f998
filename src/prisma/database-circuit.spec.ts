import { describe, expect, it } from '@jest/globals';
import { backoffDelay, DatabaseCircuit } from './database-circuit.js';
import { DatabaseUnavailableError } from './database-unavailable.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

function harness() {
  const h = { now: 1_000_000, lines: [] as string[], circuit: undefined as unknown as DatabaseCircuit };
  h.circuit = new DatabaseCircuit({ clock: () => h.now, random: () => 0.5 });
  (h.circuit as unknown as { logger: { warn: (m: string) => void } }).logger = {
    warn: (m) => h.lines.push(m),
  };
  return h;
}

describe('DatabaseCircuit', () => {
  it('lets connections through while closed', () => {
    const h = harness();
    expect(h.circuit.beforeConnect()).toBeNull();
    h.circuit.connectSucceeded();
    expect(h.circuit.isOpen).toBe(false);
  });

  it('opens on the first failure to connect and then refuses without an attempt until the backoff passed', () => {
    const h = harness();
    h.circuit.beforeConnect();
    h.circuit.connectFailed(refused());
    expect(h.circuit.isOpen).toBe(true);
    const refusal = h.circuit.beforeConnect();
    expect(refusal).toBeInstanceOf(DatabaseUnavailableError);
    expect(refusal?.retryAfterSeconds).toBe(1);
    h.now += 149; // 200 ms step, equal jitter at 0.5: 150 ms
    expect(h.circuit.beforeConnect()).toBeInstanceOf(DatabaseUnavailableError);
    h.now += 1;
    expect(h.circuit.beforeConnect()).toBeNull(); // the probe
    expect(h.circuit.beforeConnect()).toBeInstanceOf(DatabaseUnavailableError); // only one
  });

  it('backs off exponentially to 5 s while probes fail, and closes on the first success', () => {
    const h = harness();
    h.circuit.connectFailed(refused());
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      let waited = 0;
      while (h.circuit.beforeConnect() !== null) {
        h.now += 10;
        waited += 10;
      }
      waits.push(waited);
      h.circuit.connectFailed(refused());
    }
    expect(waits).toEqual([150, 300, 600, 1200, 2400, 3750, 3750, 3750]);
    while (h.circuit.beforeConnect() !== null) h.now += 10;
    h.circuit.connectSucceeded();
    expect(h.circuit.isOpen).toBe(false);
    expect(h.circuit.beforeConnect()).toBeNull();
    expect(h.lines).toHaveLength(2); // one line when it opened, one when it closed
    expect(h.lines[0]).toBe(
      'database unavailable (ECONNREFUSED): failing fast with 503, probing with backoff',
    );
    expect(h.lines[1]).toMatch(
      /^database available again after \d+\.\d s; \d+ connection attempts were refused/,
    );
  });

  it('ignores connect failures that are not an outage (a wrong password) and late failures while open', () => {
    const h = harness();
    h.circuit.connectFailed(Object.assign(new Error('password authentication failed'), { code: '28P01' }));
    expect(h.circuit.isOpen).toBe(false);
    h.circuit.connectFailed(refused());
    const retry = h.circuit.retryAfterSeconds();
    h.circuit.connectFailed(refused()); // began before the circuit opened
    expect(h.circuit.retryAfterSeconds()).toBe(retry);
  });

  it('jitters: equal jitter keeps half of each step fixed', () => {
    const o = { baseDelayMs: 200, maxDelayMs: 5_000 };
    expect(backoffDelay(1, { ...o, random: () => 0 })).toBe(100);
    expect(backoffDelay(1, { ...o, random: () => 0.999 })).toBeCloseTo(200, 0);
    expect(backoffDelay(10, { ...o, random: () => 0 })).toBe(2_500);
  });
});
