/**
 * Expiry reminders (beyond Altinn; docs/consent-lifecycle.md): an `expiring` event (and so a
 * `consent.expiring` webhook) for every accepted consent whose `validTo` is within
 * EXPIRY_REMINDER_DAYS, written by the expiry sweeper; a resource's policy may ask for more days
 * for its own consents (`expiryReminderDays`). Off when neither asks.
 *
 * Once per consent, also with several replicas sweeping at once: the reminder row's primary key
 * is the consent id, and only the rows this sweep actually inserted (`ON CONFLICT DO NOTHING …
 * RETURNING`) get an event, in the same transaction. A concurrent sweep's insert of the same id
 * waits for ours to commit and then inserts nothing.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '../common/auth/clock.js';
import { systemClock } from '../common/auth/clock.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { PrismaService, TX_OPTIONS } from '../prisma/prisma.service.js';
import { ResourcePoliciesService } from '../resources/resource-policies.service.js';
import { ConsentEventsService } from './consent-events.service.js';
import { ConsentFeedSequencer } from './consent-feed.sequencer.js';

export const REMINDER_BATCH = 500;
const DAY_MS = 24 * 3600 * 1000;

@Injectable()
export class ConsentExpiryReminders {
  /** The sweeper's clock; a test sets a fake one to move "now" without waiting for it. */
  clock: Clock = systemClock;

  constructor(
    private readonly prisma: PrismaService,
    private readonly events: ConsentEventsService,
    private readonly sequencer: ConsentFeedSequencer,
    private readonly policies: ResourcePoliciesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Writes the reminders that are due; returns how many. */
  async remindDue(): Promise<number> {
    const platform = this.config.expiryReminderDays;
    // A consent of several resources is reminded at the earliest any of them asks for.
    const windows: { days: number; resource?: string }[] = [
      ...(platform > 0 ? [{ days: platform }] : []),
      ...(await this.policies.reminderDays()).filter((r) => r.days > platform),
    ];
    const now = new Date(this.clock());
    let total = 0;
    for (const window of windows)
      for (;;) {
        const n = await this.remindBatch(now, window.days, window.resource);
        total += n;
        if (n < REMINDER_BATCH) break;
      }
    return total;
  }

  private async remindBatch(now: Date, days: number, resource?: string): Promise<number> {
    const horizon = new Date(now.getTime() + days * DAY_MS);
    const reminded = await this.prisma.$transaction(async (tx) => {
      const due = await tx.consentRequest.findMany({
        where: {
          status: 'accepted',
          validTo: { gt: now, lte: horizon },
          reminder: { is: null },
          ...(resource ? { resources: { has: resource } } : {}),
        },
        select: { id: true, toOrg: true, handledBy: true },
        orderBy: { validTo: 'asc' },
        take: REMINDER_BATCH,
      });
      if (!due.length) return [];
      const inserted = await tx.consentReminder.createManyAndReturn({
        data: due.map((c) => ({ consentRequestId: c.id, remindedAt: now })),
        skipDuplicates: true,
        select: { consentRequestId: true },
      });
      const ours = new Set(inserted.map((r) => r.consentRequestId));
      const rows = due.filter((c) => ours.has(c.id));
      await this.events.append(
        tx,
        rows.map((c) => ({
          consentRequestId: c.id,
          eventType: 'expiring' as const,
          createdAt: now,
          performedBy: null,
          toOrg: c.toOrg,
          handledBy: c.handledBy,
        })),
      );
      return rows;
    }, TX_OPTIONS);
    if (reminded.length) await this.sequencer.afterCommit();
    return reminded.length;
  }
}
