/**
 * Gives committed consent events their feed position (`consent_events.seq`), so the events feed
 * never skips an event whose transaction commits late — without Altinn's 5-minute lag and
 * without serialising the writers' commits.
 *
 * ── The problem ─────────────────────────────────────────────────────────────────────────────
 * If writers drew their feed position when they insert, a transaction A could draw n, B draw
 * n+1 and commit first; a reader hands out n+1 and moves its cursor past n; A commits and n is
 * never seen. Ordering by transaction id and hiding everything newer than the oldest in-flight
 * transaction fixes that, but then any long write transaction anywhere in the cluster (another
 * database included: xids are cluster-wide) holds the whole feed back. Holding one lock from
 * the event insert through COMMIT fixes it too, but serialises every commit's WAL flush: on
 * this class of disk that caps consent writes near 1/fsync (a bare pg client here: ~340
 * transactions/s with such a lock, ~2 300 without; the target is 500 creates/s).
 *
 * ── The design ──────────────────────────────────────────────────────────────────────────────
 * Writers insert events with a negative placeholder (column default `-nextval(...)`) and commit
 * freely. The sequencer then, in one transaction per batch:
 *   1. takes `pg_advisory_xact_lock(CONSENT_FEED_LOCK_KEY)` — one sequencer at a time across
 *      all replicas;
 *   2. numbers the committed placeholders it can see, oldest insertion first, from
 *      `max(seq) + 1` upwards (`row_number()`), and commits.
 * Why no reader can skip an event:
 *   - Positions are written only by sequencer transactions, and those are totally ordered: each
 *     holds the lock until it has committed, and PostgreSQL makes a transaction visible before
 *     it releases its locks (CommitTransaction: ProcArrayEndTransaction "must be done _before_
 *     releasing locks"). So run k+1 starts after run k is visible, reads run k's maximum, and
 *     numbers strictly above it.
 *   - A snapshot therefore sees the positions of runs 1..k for some k and none of later runs:
 *     every position up to the largest visible one is visible (a run that rolls back numbers
 *     nothing, and a numbered row is never renumbered), so no hole can fill later.
 *   - An event only ever gets a position after its own transaction committed (the sequencer can
 *     only see committed rows). A late commit just gets a later position.
 * So a reader at cursor c has seen every position ≤ c that will ever exist, and `seq > c` gives
 * exactly the rest, in order, once each. The unique index on `seq` would reject a duplicate.
 *
 * ── Latency ─────────────────────────────────────────────────────────────────────────────────
 * Every writer awaits `flush()` after its commit, so its events are in the feed before the API
 * answers (concurrent flushes share one run, and each run numbers every committed placeholder,
 * so the lock is taken once per batch, not per event). A timer on every replica numbers
 * anything left behind (a process that died between commit and flush, or rows written by
 * other tools) within POLL_MS. DESIGN §10: "an event is in the feed within 1 s of its commit".
 */
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ChangeBus } from '../common/events/change-bus.js';
import { warnUnlessUnavailable } from '../prisma/database-unavailable.js';
import { ConsentFeedRepository } from './consent-feed.repository.js';

export { CONSENT_FEED_LOCK_KEY } from './consent-feed.repository.js';
export const SEQUENCE_BATCH = 5000;
/**
 * The timer only numbers what a writer left behind (it died between its commit and its flush),
 * so it need not run often; 500 ms keeps DESIGN §10's 1 s with room for the run itself. It
 * cannot listen instead: that would need a NOTIFY per consent write, which serialises commits
 * (docs/architecture.md, "The change path"). On PostgreSQL each run is one round trip.
 */
export const POLL_MS = 500;

@Injectable()
export class ConsentFeedSequencer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ConsentFeedSequencer.name);
  private timer?: NodeJS.Timeout;
  /** The run in progress (or the last one), so a new run starts only after it. */
  private tail: Promise<unknown> = Promise.resolve();
  /** A run queued behind `tail` that has not started: later callers join it. */
  private queued?: Promise<number>;
  private stopped = false;

  constructor(
    private readonly feed: ConsentFeedRepository,
    private readonly bus: ChangeBus,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (!this.queued)
        this.flush().catch((err: unknown) => warnUnlessUnavailable(this.logger, 'feed sequencer', err));
    }, POLL_MS);
    this.timer.unref();
  }

  /**
   * Stops before the database does: Nest runs every onModuleDestroy before any
   * onApplicationShutdown, and the (global) Prisma module, initialised first, is destroyed last —
   * so a run in flight finishes on a live connection, and none starts after (a run that started
   * after Prisma disconnected logged "Transaction not found").
   */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.tail.catch(() => undefined);
  }

  /**
   * Resolves after a sequencer run that started after this call: every event committed before
   * the call is then in the feed. Returns how many events that run numbered.
   */
  flush(): Promise<number> {
    if (this.queued) return this.queued;
    const run = this.tail
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.stopped ? 0 : this.runAll();
      });
    this.queued = run;
    this.tail = run;
    return run;
  }

  /**
   * For writers, right after their commit: waits until their events are in the feed. Never
   * throws — the change is committed either way, and the timer retries the numbering.
   */
  async afterCommit(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.flush();
        return;
      } catch (err) {
        this.logger.warn(`feed sequencer (attempt ${attempt}): ${(err as Error).message}`);
        if (attempt >= 2) return;
      }
    }
  }

  /** Numbers every committed placeholder, batch by batch. */
  private async runAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce();
      total += n;
      if (n < SEQUENCE_BATCH) return total;
    }
  }

  /**
   * One batch in one transaction (see the file comment for why this is safe), which also
   * publishes the numbered consents to the other replicas (NOTIFY); then delivers them here.
   */
  async runOnce(limit = SEQUENCE_BATCH): Promise<number> {
    const { numbered, ids } = await this.feed.numberBatch(limit, ChangeBus.origin);
    for (const id of ids) this.bus.emitLocal('consent', id);
    return numbered;
  }
}
