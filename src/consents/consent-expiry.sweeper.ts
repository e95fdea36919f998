/**
 * Writes the real `expired` status and event when a consent reaches `validTo` (DESIGN §4.7).
 *
 * Safe with several replicas: each sweep claims due rows with `FOR NO KEY UPDATE SKIP LOCKED`
 * and re-checks their status under the row lock, so a consent is expired by exactly one sweep
 * and never against a concurrent revoke (whichever commits first wins; the other finds the row
 * changed). Readers do not wait for the sweeper: the mapper already shows an accepted consent
 * past `validTo` as expired, and every transition requires `valid_to > now`.
 *
 * When: at the next `validTo` it knows of (one indexed `min(valid_to)` after each sweep), a second
 * after any consent change (ChangeBus: here or on another replica — a new consent may expire
 * sooner), and at least every `EXPIRY_SWEEP_INTERVAL_MS` as a safety net for rows no notification
 * announced. An idle gateway used to run a sweep transaction every second (issue 22).
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
import { WakeTimer } from '../common/events/wake-timer.js';
import { orgUrn } from '../common/identifiers/party-urn.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { PrismaService, TX_OPTIONS } from '../prisma/prisma.service.js';
import { ConsentEventsService } from './consent-events.service.js';
import { ConsentExpiryReminders } from './consent-expiry-reminders.js';
import { ConsentExpiryRepository } from './consent-expiry.repository.js';
import { ConsentFeedSequencer } from './consent-feed.sequencer.js';
import { ConsentUsageSummaries } from './consent-usage-summaries.js';
import { warnUnlessUnavailable } from '../prisma/database-unavailable.js';

export const SWEEP_BATCH = 500;
/** After a consent change, the next look at the database within this (changes in a burst share it). */
const AFTER_CHANGE_MS = 1000;
/**
 * Sweeps at least this far apart when one is already due: the database's clock decides what is
 * due, so a gateway whose clock runs ahead would otherwise re-sweep in a loop until they agree.
 */
const MIN_GAP_MS = 250;

@Injectable()
export class ConsentExpirySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConsentExpirySweeper.name);
  private readonly timer: WakeTimer;
  private running?: Promise<unknown>;
  /** A change arrived while a sweep ran: its `min(valid_to)` may already be out of date. */
  private changedMeanwhile = false;
  private stopped = false;

  constructor(
    private readonly prisma: PrismaService,
    private readonly repository: ConsentExpiryRepository,
    private readonly audit: AuditService,
    private readonly events: ConsentEventsService,
    private readonly sequencer: ConsentFeedSequencer,
    private readonly changes: ChangeBus,
    private readonly reminders: ConsentExpiryReminders,
    private readonly usageSummaries: ConsentUsageSummaries,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.timer = new WakeTimer(() => this.tick(), config.expirySweepIntervalMs);
  }

  onApplicationBootstrap(): void {
    this.changes.subscribe((e) => {
      if (e.topic !== 'consent') return;
      if (this.running) this.changedMeanwhile = true;
      else this.timer.wakeWithin(AFTER_CHANGE_MS);
    });
    this.timer.wakeWithin(AFTER_CHANGE_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.timer.stop();
    await this.running?.catch(() => undefined);
  }

  private tick(): void {
    if (this.running || this.stopped) return; // a slow sweep is not overlapped by the next
    this.changedMeanwhile = false;
    this.running = this.sweepAll()
      .then(() => this.nextValidTo())
      .then(
        (next) =>
          this.timer.wakeAt(
            this.changedMeanwhile
              ? Date.now() + AFTER_CHANGE_MS
              : Math.max(next ?? Infinity, Date.now() + MIN_GAP_MS),
          ),
        (err: unknown) => {
          warnUnlessUnavailable(this.logger, 'expiry sweep', err);
          this.timer.wakeAt(null);
        },
      )
      .finally(() => (this.running = undefined));
  }

  /** When the next open consent expires (epoch ms), or null when none is open. */
  private async nextValidTo(): Promise<number | null> {
    const { _min } = await this.prisma.consentRequest.aggregate({
      _min: { validTo: true },
      where: { status: { in: ['accepted', 'created'] } },
    });
    return _min.validTo?.getTime() ?? null;
  }

  /**
   * Sweeps until nothing is due; returns how many consents it expired. Then the reminders and the
   * daily usage summaries (at the same wake-ups: each is cheap when nothing is due, and the safety
   * wake-up, every EXPIRY_SWEEP_INTERVAL_MS at most, is soon enough for both).
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
      const rows = await this.repository.expireDue(tx, limit);
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
