/**
 * A circuit breaker on new database connections (DESIGN §6, §11 "database unavailable").
 *
 * Without it every failing call made its own connection attempt: in the issue-17 soak a 20 s
 * outage meant ~377 refused attempts per second against PostgreSQL, one per call. Now the first
 * failure to connect opens the circuit; while it is open, every pool of the process (Prisma's,
 * consent creation, the feed sequencer, NOTIFY, the change listener) is refused at once with
 * DatabaseUnavailableError (→ 503 + Retry-After) without touching the network. After a backoff
 * (exponential from 200 ms to 5 s, with jitter so replicas do not probe in step) one connection
 * attempt is let through as the probe (half-open): success closes the circuit, failure opens it
 * for the next, longer backoff. Connections already open are not affected: a database that
 * refuses new sessions may still serve the pooled ones.
 *
 * Only connection attempts feed it (guarded-pg.ts). A session terminated mid-query is answered
 * 503 by the classifier, and the pool's next attempt tells whether the database is really gone.
 */
import { Logger } from '@nestjs/common';
import {
  DatabaseUnavailableError,
  isDatabaseUnavailable,
  unavailabilityLog,
  unavailableReason,
} from './database-unavailable.js';

export interface CircuitOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  clock: () => number;
  random: () => number;
}

const DEFAULTS: CircuitOptions = {
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  clock: Date.now,
  random: Math.random,
};

type State = 'closed' | 'open' | 'half-open';

/** One per application (PrismaModule provides it); every pool of the app shares it. */
export class DatabaseCircuit {
  private readonly logger = new Logger('Database');
  private readonly opts: CircuitOptions;
  private state: State = 'closed';
  /** Consecutive failed probes of this outage (the backoff exponent). */
  private failures = 0;
  private retryAt = 0;
  private openedAt = 0;
  private refused = 0;

  constructor(options: Partial<CircuitOptions> = {}) {
    this.opts = { ...DEFAULTS, ...options };
  }

  get isOpen(): boolean {
    return this.state !== 'closed';
  }

  /** Seconds until the next probe (for Retry-After), at least 1. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.retryAt - this.opts.clock()) / 1000));
  }

  /**
   * Before a new connection attempt: null to go ahead (closed, or this attempt is the probe), or
   * the error to fail with at once.
   */
  beforeConnect(): DatabaseUnavailableError | null {
    if (this.state === 'closed') return null;
    if (this.state === 'open' && this.opts.clock() >= this.retryAt) {
      this.state = 'half-open';
      return null;
    }
    this.refused++;
    return new DatabaseUnavailableError(this.retryAfterSeconds());
  }

  connectSucceeded(): void {
    if (this.state === 'closed') return;
    const seconds = ((this.opts.clock() - this.openedAt) / 1000).toFixed(1);
    this.logger.warn(
      `database available again after ${seconds} s; ${this.refused} connection attempts were refused without trying`,
    );
    this.state = 'closed';
    this.failures = 0;
    this.refused = 0;
    unavailabilityLog.reset();
  }

  connectFailed(err: unknown): void {
    if (!isDatabaseUnavailable(err)) return; // e.g. a bad password: no outage, nothing to wait for
    if (this.state === 'open') return; // an attempt that began before the circuit opened
    const now = this.opts.clock();
    if (this.state === 'closed') {
      this.openedAt = now;
      this.failures = 0;
      this.logger.warn(
        `database unavailable (${unavailableReason(err)}): failing fast with 503, probing with backoff`,
      );
    }
    this.failures++;
    this.state = 'open';
    this.retryAt = now + this.delay();
  }

  private delay(): number {
    return backoffDelay(this.failures, this.opts);
  }
}

/**
 * Exponential backoff with "equal jitter" for the `attempt`-th retry (1, 2, …): the step doubles
 * from `baseDelayMs` up to `maxDelayMs`; half of it is fixed, half random, so replicas that lost
 * the database together do not come back in step.
 */
export function backoffDelay(
  attempt: number,
  o: Pick<CircuitOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'> = DEFAULTS,
): number {
  const step = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 20));
  return step / 2 + o.random() * (step / 2);
}
