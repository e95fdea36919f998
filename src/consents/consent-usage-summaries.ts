/**
 * Daily usage summaries (issue 21, beyond Altinn; docs/consent-lifecycle.md): once a UTC day is
 * over, every consent that was called through the gateway that day gets one `usage_summary`
 * event (webhook `consent.usage_summary`) whose data is the day's calls per API, consumer and
 * outcome and the last use. One-time consents are left out: they have `consent.used`.
 *
 * When: a day is summarised once it has been over for USAGE_SUMMARY_GRACE_MS, so the gateway
 * replicas have flushed its last counts (they write every second; the grace covers a slow flush
 * and a restart). Counts written later still show in the usage log, not in the summary. Days
 * missed while no replica ran are caught up, back to USAGE_SUMMARY_LOOKBACK_DAYS.
 *
 * Once per consent and day, also with several replicas summarising at once: the summary row's
 * primary key is (consent, day), and only the rows this run actually inserted (`ON CONFLICT DO
 * NOTHING … RETURNING`) get their event, in the same transaction; a concurrent insert of the same
 * key waits for ours to commit and then inserts nothing (as the expiry reminders). A finished day
 * is recorded in `usage_summary_days`, so its usage is read once, not on every sweep.
 */
import { Injectable } from '@nestjs/common';
import type { Clock } from '../common/auth/clock.js';
import { systemClock } from '../common/auth/clock.js';
import { uuidv7 } from '../common/identifiers/uuid.js';
import type { Prisma } from '../generated/prisma/client.js';
import { PrismaService, TX_OPTIONS } from '../prisma/prisma.service.js';
import { ConsentEventsService } from './consent-events.service.js';
import { ConsentFeedSequencer } from './consent-feed.sequencer.js';
import type { DailyCalls } from './consent-usage.record.js';
import { ConsentUsageRepository, type DayRow } from './consent-usage.repository.js';

const DAY_MS = 24 * 3600 * 1000;
/** How long after midnight (UTC) a day is summarised: the gateway's last counts are written by then. */
export const USAGE_SUMMARY_GRACE_MS = 10 * 60_000;
/** Days looked back for days not summarised yet (no replica was running at the time). */
export const USAGE_SUMMARY_LOOKBACK_DAYS = 7;
/** Consents per transaction. */
export const SUMMARY_BATCH = 500;

interface ConsentDay {
  consentRequestId: string;
  toOrg: string;
  handledBy: string | null;
  calls: DailyCalls[];
  lastUsedAt: Date | null;
}

/** Groups a day's rows (sorted by consent) into one summary per consent. */
export function summariesOf(rows: readonly DayRow[]): ConsentDay[] {
  const out: ConsentDay[] = [];
  let current: ConsentDay | undefined;
  for (const r of rows) {
    if (current?.consentRequestId !== r.consent_id) {
      current = {
        consentRequestId: r.consent_id,
        toOrg: r.to_org,
        handledBy: r.handled_by,
        calls: [],
        lastUsedAt: null,
      };
      out.push(current);
    }
    current.calls.push({ api: r.api, consumer: r.consumer, outcome: r.outcome, calls: Number(r.calls) });
    if (r.last_used && (!current.lastUsedAt || r.last_used > current.lastUsedAt))
      current.lastUsedAt = r.last_used;
  }
  return out;
}

/** Start (UTC midnight, ms) of the last day that has been over for the grace period at `nowMs`. */
export function lastDayDue(nowMs: number): number {
  const sinceGrace = nowMs - USAGE_SUMMARY_GRACE_MS;
  return sinceGrace - (sinceGrace % DAY_MS) - DAY_MS;
}

@Injectable()
export class ConsentUsageSummaries {
  /** The sweeper's clock; a test sets a fake one to move "now" without waiting for it. */
  clock: Clock = systemClock;
  /** The last day this process has seen summarised: until the next one is due, a sweep reads nothing. */
  private doneThrough = -Infinity;

  constructor(
    private readonly prisma: PrismaService,
    private readonly usage: ConsentUsageRepository,
    private readonly events: ConsentEventsService,
    private readonly sequencer: ConsentFeedSequencer,
  ) {}

  /** Summarises every finished day not done yet; returns how many summaries (events) it wrote. */
  async summariseDue(): Promise<number> {
    const now = this.clock();
    const last = lastDayDue(now);
    // The sweeper calls this every second or so; a new day is due once a day.
    if (last <= this.doneThrough) return 0;
    const first = last - (USAGE_SUMMARY_LOOKBACK_DAYS - 1) * DAY_MS;
    const done = await this.prisma.usageSummaryDay.findMany({
      where: { day: { gte: new Date(first), lte: new Date(last) } },
      select: { day: true },
    });
    const doneDays = new Set(done.map((d) => d.day.getTime()));
    let total = 0;
    for (let day = first; day <= last; day += DAY_MS) {
      if (doneDays.has(day)) continue;
      total += await this.summariseDay(day, new Date(now));
      await this.prisma.usageSummaryDay.createMany({ data: [{ day: new Date(day) }], skipDuplicates: true });
    }
    this.doneThrough = last;
    return total;
  }

  private async summariseDay(dayMs: number, now: Date): Promise<number> {
    const consents = summariesOf(await this.usage.day(new Date(dayMs), new Date(dayMs + DAY_MS)));
    let written = 0;
    for (let i = 0; i < consents.length; i += SUMMARY_BATCH)
      written += await this.writeBatch(consents.slice(i, i + SUMMARY_BATCH), new Date(dayMs), now);
    return written;
  }

  private async writeBatch(batch: ConsentDay[], day: Date, now: Date): Promise<number> {
    const written = await this.prisma.$transaction(async (tx) => {
      const inserted = await tx.consentUsageSummary.createManyAndReturn({
        data: batch.map((c) => ({
          consentRequestId: c.consentRequestId,
          day,
          eventId: uuidv7(now.getTime()),
          calls: c.calls as unknown as Prisma.InputJsonValue,
          lastUsedAt: c.lastUsedAt,
        })),
        skipDuplicates: true,
        select: { consentRequestId: true, eventId: true },
      });
      const ours = new Map(inserted.map((r) => [r.consentRequestId, r.eventId]));
      const events = batch
        .filter((c) => ours.has(c.consentRequestId))
        .map((c) => ({
          id: ours.get(c.consentRequestId),
          consentRequestId: c.consentRequestId,
          eventType: 'usage_summary' as const,
          createdAt: now,
          performedBy: null,
          toOrg: c.toOrg,
          handledBy: c.handledBy,
        }));
      await this.events.append(tx, events);
      return events.length;
    }, TX_OPTIONS);
    if (written) await this.sequencer.afterCommit();
    return written;
  }
}
