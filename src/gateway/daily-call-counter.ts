/**
 * Calls per consent per UTC day across replicas (the resource policy's `callsPerDay`), without a
 * database write per call.
 *
 * Each replica counts the calls it lets through in memory (`take`: one map read and an
 * increment) and, every second (`sync`), adds what it counted to the shared row of each consent
 * and day in one statement, which also returns the totals of every replica; consents this
 * replica uses without having counted anything since the last sync are read in that same
 * statement. A consent this replica has not seen today is read once (`load`) before its first
 * call.
 *
 * Bound on overshoot (docs/consent-lifecycle.md): a replica refuses once the last total it read
 * plus what it counted since reaches the limit, so it never lets more than the limit through by
 * itself; what it cannot see are the calls other replicas let through since its last sync. With
 * R replicas, a day's total can exceed `callsPerDay` by at most what the other R − 1 replicas let
 * through in one sync interval (plus one statement's latency), and never more than (R − 1) ×
 * `callsPerDay`. With one replica the limit is exact.
 *
 * When the store is unavailable the counter keeps enforcing what it knows (the last total read
 * plus its own calls since, which are kept and written once the store is back): it never starts
 * from zero. A consent it has not seen today cannot be read, and the call is refused with 503
 * GW-00015 like any other read the gateway cannot make.
 */
import { Injectable, Logger } from '@nestjs/common';
import { warnUnlessUnavailable } from '../prisma/database-unavailable.js';
import { dayKey, DailyCallsRepository, type DayDelta } from './daily-calls.repository.js';

const DAY_MS = 86_400_000;
/** A consent not called for this long is forgotten (read again on its next call). */
const IDLE_MS = 60_000;
/** Consents tracked at most; idle ones beyond this are forgotten first. */
const MAX_TALLIES = 100_000;
const PRUNE_EVERY_MS = 3_600_000;

interface Tally {
  day: number;
  /** Every replica's total as last read from the store (our written calls included). */
  known: number;
  /** Calls counted here and being written by the running sync. */
  sending: number;
  /** Calls counted here since the last sync started. */
  unsent: number;
  usedMs: number;
}

export type TakeResult = 'taken' | 'full' | 'unknown';

export const utcDay = (ms: number): number => Math.floor(ms / DAY_MS);

/** Whole seconds until the next UTC midnight (at least 1): when a full day's count starts again. */
export function secondsToUtcMidnight(ms: number): number {
  return Math.max(1, Math.ceil(((utcDay(ms) + 1) * DAY_MS - ms) / 1000));
}

@Injectable()
export class DailyCallCounter {
  private readonly logger = new Logger(DailyCallCounter.name);
  private readonly tallies = new Map<string, Tally>();
  private readonly loads = new Map<string, Promise<void>>();
  private syncing: Promise<void> | null = null;
  private prunedMs = 0;

  constructor(private readonly store: DailyCallsRepository) {}

  /** Counts one call if the consent has calls left today. 'unknown': `load` it first. */
  take(consent: string, limit: number, nowMs: number): TakeResult {
    const t = this.tallies.get(consent);
    if (t === undefined || t.day !== utcDay(nowMs)) return 'unknown';
    t.usedMs = nowMs;
    if (t.known + t.sending + t.unsent >= limit) return 'full';
    t.unsent++;
    return 'taken';
  }

  /** Reads the consent's total for the day of `nowMs` (one read in flight per consent and day). */
  load(consent: string, nowMs: number): Promise<void> {
    const day = utcDay(nowMs);
    const key = dayKey(consent, day);
    let running = this.loads.get(key);
    if (running === undefined) {
      running = this.store
        .total(consent, day)
        .then((total) => {
          const t = this.tallies.get(consent);
          if (t !== undefined && t.day === day) t.known = Math.max(t.known, total);
          else {
            this.makeRoom();
            this.tallies.set(consent, { day, known: total, sending: 0, unsent: 0, usedMs: nowMs });
          }
        })
        .finally(() => this.loads.delete(key));
      this.loads.set(key, running);
    }
    return running;
  }

  /** Consents tracked (for tests and metrics). */
  get size(): number {
    return this.tallies.size;
  }

  /** Writes what was counted and reads the other replicas' totals. Concurrent calls share one run. */
  sync(nowMs = Date.now()): Promise<void> {
    if (this.syncing) return this.syncing;
    this.syncing = this.run(nowMs).finally(() => (this.syncing = null));
    return this.syncing;
  }

  private async run(nowMs: number): Promise<void> {
    const today = utcDay(nowMs);
    const batch: Array<DayDelta & { tally: Tally }> = [];
    for (const [consent, t] of this.tallies) {
      if (t.unsent > 0) {
        t.sending = t.unsent;
        t.unsent = 0;
        batch.push({ consent, day: t.day, delta: t.sending, tally: t });
      } else if (t.day !== today || nowMs - t.usedMs > IDLE_MS) this.tallies.delete(consent);
      else batch.push({ consent, day: t.day, delta: 0, tally: t });
    }
    if (batch.length === 0) return;
    try {
      const totals = await this.store.addAndRead(batch);
      for (const b of batch) {
        b.tally.known = totals.get(dayKey(b.consent, b.day)) ?? b.tally.known + b.tally.sending;
        b.tally.sending = 0;
        // A past day's calls are written; nothing enforces them any more.
        if (b.day !== today && this.tallies.get(b.consent) === b.tally) this.tallies.delete(b.consent);
      }
    } catch (err) {
      // Kept, and written by a later sync; meanwhile they still count here (fail closed).
      for (const b of batch) {
        b.tally.unsent += b.tally.sending;
        b.tally.sending = 0;
      }
      warnUnlessUnavailable(this.logger, 'daily call counts (will retry)', err);
      return;
    }
    if (nowMs - this.prunedMs > PRUNE_EVERY_MS) {
      this.prunedMs = nowMs;
      await this.store
        .pruneBefore(today - 1)
        .catch((err: unknown) => warnUnlessUnavailable(this.logger, 'daily call counts prune', err));
    }
  }

  /** Forgets the least recently added idle tallies when full (their next call reads the store). */
  private makeRoom(): void {
    if (this.tallies.size < MAX_TALLIES) return;
    for (const [consent, t] of this.tallies) {
      if (t.unsent === 0 && t.sending === 0) this.tallies.delete(consent);
      if (this.tallies.size < MAX_TALLIES * 0.9) return;
    }
  }
}
