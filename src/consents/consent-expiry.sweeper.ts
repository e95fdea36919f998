/**
 * Writes the real `expired` status and event when a consent reaches `validTo` (DESIGN §4.7).
 *
 * Safe with several replicas: each sweep claims due rows with `FOR NO KEY UPDATE SKIP LOCKED`
 * and re-checks their status under the row lock, so a consent is expired by exactly one sweep
 * and never against a concurrent revoke (whichever commits first wins; the other finds the row
 * changed). Readers do not wait for the sweeper: the mapper already shows an accepted consent
 * past `validTo` as expired, and every transition requires `valid_to > now`.
 *
 * Decision: unanswered (`created`) requests past `validTo` are expired too. Altinn keeps them as
 * `created` and only adds a synthetic "expired" event when read; we write the real event so a
 * consumer following the feed (or a webhook) learns that the user never answered, and the
 * request can no longer be accepted (accept answers AM-00013).
 */
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { ChangeBus } from '../common/events/change-bus.js';
import { orgUrn } from '../common/identifiers/party-urn.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { PrismaService, TX_OPTIONS } from '../prisma/prisma.service.js';
import { ConsentEventsService } from './consent-events.service.js';
import { ConsentExpiryReminders } from './consent-expiry-reminders.js';
import { ConsentFeedSequencer } from './consent-feed.sequencer.js';
import { ConsentUsageSummaries } from './consent-usage-summaries.js';
import { warnUnlessUnavailable } from '../prisma/database-unavailable.js';

export const SWEEP_BATCH = 500;

interface ExpiredRow {
  id: string;
  old_status: string;
  valid_to: Date;
  to_org: string;
  handled_by: string | null;
  owner_org: string | null;
}

@Injectable()
export class ConsentExpirySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConsentExpirySweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly events: ConsentEventsService,
    private readonly sequencer: ConsentFeedSequencer,
    private readonly changes: ChangeBus,
    private readonly reminders: ConsentExpiryReminders,
    private readonly usageSummaries: ConsentUsageSummaries,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), this.config.expirySweepIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private tick(): void {
    if (this.running || this.stopped) return; // a slow sweep is not overlapped by the next
    this.running = this.sweepAll()
      .catch((err: unknown) => warnUnlessUnavailable(this.logger, 'expiry sweep', err))
      .finally(() => (this.running = undefined));
  }

  /**
   * Sweeps until nothing is due; returns how many consents it expired. Then the reminders and the
   * daily usage summaries (the same timer: each is cheap when nothing is due).
   */
  async sweepAll(): Promise<number> {
    const expired = await this.expireAll();
    if (!this.stopped) await this.reminders.remindDue();
    if (!this.stopped) await this.usageSummaries.summariseDue();
    return expired;
  }

  private async expireAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.sweepOnce();
      total += n;
      if (n < SWEEP_BATCH || this.stopped) return total;
    }
  }

  /** One batch in one transaction: status, audit rows, NOTIFY and events commit together. */
  async sweepOnce(limit = SWEEP_BATCH): Promise<number> {
    const expired = await this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<ExpiredRow[]>`
        UPDATE consent_requests c SET status = 'expired', updated_at = now()
        FROM (SELECT id, status FROM consent_requests
              WHERE status IN ('accepted', 'created') AND valid_to <= now()
              ORDER BY valid_to LIMIT ${limit}
              FOR NO KEY UPDATE SKIP LOCKED) due
        WHERE c.id = due.id
        RETURNING c.id::text AS id, due.status AS old_status, c.valid_to, c.to_org, c.handled_by, c.owner_org`;
      if (!rows.length) return rows;
      for (const r of rows)
        await this.audit.record(tx, {
          actor: {},
          action: 'consent.expired',
          objectType: 'consent',
          objectId: r.id,
          ownerOrg: r.owner_org,
          before: { status: r.old_status },
          after: { status: 'expired' },
        });
      // The event's time is when the consent expired; `to` stands as performer, as in Altinn.
      await this.events.append(
        tx,
        rows.map((r) => ({
          consentRequestId: r.id,
          eventType: 'expired' as const,
          createdAt: r.valid_to,
          performedBy: orgUrn(r.to_org),
          toOrg: r.to_org,
          handledBy: r.handled_by,
        })),
      );
      return rows;
    }, TX_OPTIONS);
    for (const r of expired) this.changes.emitLocal('consent', r.id);
    if (expired.length) await this.sequencer.afterCommit();
    return expired.length;
  }
}
