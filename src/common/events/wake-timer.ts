/**
 * One timer for a background job that knows when its next piece of work is due (the expiry
 * sweeper: the next `validTo`; the webhook worker: the next `next_attempt_at`), instead of a
 * fixed-rate poll. The job asks to be woken at that time, and on a change that may have moved it
 * (a `ChangeBus` notification); a safety wake-up at most `safetyMs` later catches what no
 * notification announced (rows written by other tools, a change while the listener was down).
 *
 * Why: fixed-rate polls were most of an idle gateway's CPU and database round trips (issue 22:
 * about 14 statements per second, two of them Prisma interactive transactions, with nothing to do).
 *
 * Only the earliest requested time counts, so any number of `wakeAt` calls (a burst of change
 * notifications) cost one wake-up. Never fires after `stop`, never keeps the process alive.
 */
export class WakeTimer {
  private timer?: NodeJS.Timeout;
  private at = Infinity;
  private stopped = false;

  constructor(
    private readonly fire: () => void,
    /** The longest it ever sleeps. */
    private readonly safetyMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Fires at `atMs` (epoch ms; `null` = nothing known to be due), or at the earlier time already
   * asked for, and no later than `safetyMs` from now.
   */
  wakeAt(atMs: number | null): void {
    if (this.stopped) return;
    const now = this.now();
    const at = Math.min(atMs ?? Infinity, now + this.safetyMs);
    if (this.timer && this.at <= at) return;
    clearTimeout(this.timer);
    this.at = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.at = Infinity;
        if (!this.stopped) this.fire();
      },
      Math.max(0, at - now),
    );
    this.timer.unref();
  }

  /** Fires `delayMs` from now unless it fires sooner anyway (a change to look at, coalesced). */
  wakeWithin(delayMs: number): void {
    this.wakeAt(this.now() + delayMs);
  }

  /** When it fires next (epoch ms), or null when no wake-up is set. */
  get nextAt(): number | null {
    return this.timer ? this.at : null;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
