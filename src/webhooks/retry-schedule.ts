/**
 * When a failed delivery is tried again (DESIGN §10): after about 5 s, 30 s, 2 min, 10 min, then
 * hourly, until 24 h after the event was queued. Each delay is spread by ±20 % (jitter) so that a
 * receiver coming back after an outage is not hit by every queued delivery in the same second.
 */
export const RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000] as const;
export const HOURLY_MS = 3_600_000;
/** How long a delivery is retried, and how long a subscription may fail before it is disabled. */
export const RETRY_WINDOW_MS = 24 * HOURLY_MS;
export const JITTER = 0.2;

/** Delay before the next attempt after `attempts` failed ones (1 = the first attempt failed). */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base =
    attempts >= 1 && attempts <= RETRY_DELAYS_MS.length ? RETRY_DELAYS_MS[attempts - 1] : HOURLY_MS;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

/** The next attempt's time, or null when the delivery has been retried for long enough. */
export function nextAttemptAt(
  attempts: number,
  queuedAt: Date,
  now: Date,
  random: () => number = Math.random,
): Date | null {
  const next = new Date(now.getTime() + retryDelayMs(attempts, random));
  return next.getTime() - queuedAt.getTime() > RETRY_WINDOW_MS ? null : next;
}
