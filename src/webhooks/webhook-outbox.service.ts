/**
 * The transactional outbox of webhooks: consent events become `webhook_deliveries` rows.
 *
 * ── Why no event is ever lost ───────────────────────────────────────────────────────────────
 * The consents context writes every change and its `consent_events` row in one transaction, and
 * then gives committed events their feed position `seq` so that any snapshot sees exactly the
 * positions 1..max, with no hole that could fill later (src/consents/consent-feed.sequencer.ts;
 * an event not numbered yet has a negative placeholder and is simply not read until it is). So
 * those event rows *are* the outbox, committed atomically with the change; all this service adds
 * is a cursor. `fanOut` locks the one cursor row, reads the events after it, inserts one delivery
 * per (event, matching subscription) and moves the cursor — in one transaction. If the process
 * dies before that commits, nothing happened and the next run (here or on another replica)
 * starts from the same cursor; if it dies after, the deliveries are durable and the delivery
 * worker sends them. `UNIQUE (subscription_id, event_id)` makes a re-run harmless.
 *
 * Several replicas: the cursor row is taken with `FOR UPDATE SKIP LOCKED`, so one replica fans
 * out at a time and the others skip instead of queueing behind it.
 *
 * Other contexts (e.g. access requests) can queue their own events with `enqueue`, inside the
 * transaction that makes their change.
 */
import { Injectable } from '@nestjs/common';
import { uuidv7 } from '../common/identifiers/uuid.js';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService, TX_OPTIONS, type PrismaTx } from '../prisma/prisma.service.js';
import { ConsentOutcomesService } from '../consents/consent-outcomes.service.js';
import { consentPayload, type StoredPayload } from './webhook-events.js';
import { WebhookMetrics } from './webhook-metrics.js';
import { createCursor, lockCursor, skipCursorToEnd } from './webhooks.repository.js';

export const CURSOR_ID = 'consent-events';
export const FANOUT_BATCH = 500;

/** An event another context asks to deliver (see `enqueue`). */
export interface OutboxEvent {
  /** Stable, unique id: the receiver's deduplication key. */
  id: string;
  /** Body `type`, e.g. `access-request.approved`. */
  type: string;
  /** The value subscriptions name in `eventTypes` to receive it (often equal to `type`). */
  subscriptionEventType: string;
  /** Org numbers whose subscriptions receive it. */
  orgs: string[];
  data: Record<string, unknown>;
}

@Injectable()
export class WebhookOutboxService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly metrics: WebhookMetrics,
    private readonly outcomes: ConsentOutcomesService,
  ) {}

  /**
   * Turns up to `limit` new consent events into deliveries. Returns how many events were
   * consumed: 0 when there was nothing new or another replica holds the cursor.
   */
  async fanOut(limit = FANOUT_BATCH): Promise<number> {
    let queued = 0;
    const consumed = await this.prisma.$transaction(async (tx) => {
      const cursor = await lockCursor(tx, CURSOR_ID);
      if (!cursor) {
        // Normally created by the migration; recreated at the current end of the feed if missing.
        await createCursor(tx, CURSOR_ID);
        return 0;
      }
      // Read inside the transaction (it holds the only connection on the embedded database).
      // Never below 0: negative seqs are placeholders of events the sequencer has not numbered.
      const after = cursor.last_seq > 0n ? cursor.last_seq : 0n;
      // No active subscription at all (an installation that does not use webhooks): nothing can
      // be queued, so the cursor skips to the end of the feed without reading a single event.
      // A subscription created later starts after the feed's end then (`afterSeq`), so it never
      // wanted these. Measured: reading and decoding every event was 7–13% of the server's CPU
      // while creating consents at full speed.
      const active = await tx.webhookSubscription.findFirst({
        where: { active: true },
        select: { id: true },
      });
      if (!active) {
        await skipCursorToEnd(tx, CURSOR_ID, after);
        return 0;
      }
      const events = await tx.consentEvent.findMany({
        where: { seq: { gt: after } },
        orderBy: { seq: 'asc' },
        take: limit,
      });
      if (!events.length) return 0;

      const orgs = [...new Set(events.flatMap((e) => (e.handledBy ? [e.toOrg, e.handledBy] : [e.toOrg])))];
      const subscriptions = await tx.webhookSubscription.findMany({
        where: { active: true, orgNumber: { in: orgs } },
        select: { id: true, orgNumber: true, eventTypes: true, afterSeq: true },
      });
      // A daily usage summary carries its figures (consents' `consent_usage_summaries` row).
      const summaryIds = events.filter((e) => e.eventType === 'usage_summary').map((e) => e.id);
      const summaries = summaryIds.length
        ? new Map(
            (
              await tx.consentUsageSummary.findMany({
                where: { eventId: { in: summaryIds } },
                select: { eventId: true, day: true, calls: true, lastUsedAt: true },
              })
            ).map((s) => [s.eventId, s]),
          )
        : undefined;
      // `consent.accepted` of a partial acceptance (beyond Altinn) carries the accepted subset.
      const accepted = events.filter((e) => e.eventType === 'accepted').map((e) => e.consentRequestId);
      const subsets = subscriptions.length ? await this.outcomes.acceptedSubsets(tx, accepted) : new Map();
      const rows: Prisma.WebhookDeliveryCreateManyInput[] = [];
      for (const e of events)
        for (const s of subscriptions)
          if (
            (s.orgNumber === e.toOrg || s.orgNumber === e.handledBy) &&
            s.eventTypes.includes(e.eventType) &&
            e.seq > s.afterSeq
          )
            rows.push({
              id: uuidv7(),
              subscriptionId: s.id,
              eventId: e.id,
              payload: consentPayload(e, {
                usage: summaries?.get(e.id),
                subset: e.eventType === 'accepted' ? subsets.get(e.consentRequestId) : undefined,
              }) as unknown as Prisma.InputJsonValue,
            });
      if (rows.length)
        queued = (await tx.webhookDelivery.createMany({ data: rows, skipDuplicates: true })).count;
      await tx.webhookCursor.update({
        where: { id: CURSOR_ID },
        data: { lastSeq: events[events.length - 1].seq, updatedAt: new Date() },
      });
      return events.length;
    }, TX_OPTIONS);
    if (queued) this.metrics.queuedTotal.inc(queued);
    return consumed;
  }

  /** Fans out until the cursor has caught up with the feed. */
  async fanOutAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.fanOut();
      total += n;
      if (n < FANOUT_BATCH) return total;
    }
  }

  /**
   * Queues an event of another context for the active subscriptions of `event.orgs` that ask for
   * `event.subscriptionEventType`. Call it inside the transaction that makes the change, so the
   * delivery commits with the change or not at all. Returns how many deliveries were queued.
   */
  async enqueue(tx: PrismaTx, event: OutboxEvent): Promise<number> {
    if (!event.orgs.length) return 0;
    const subscriptions = await tx.webhookSubscription.findMany({
      where: {
        active: true,
        orgNumber: { in: [...new Set(event.orgs)] },
        eventTypes: { has: event.subscriptionEventType },
      },
      select: { id: true },
    });
    if (!subscriptions.length) return 0;
    const payload: StoredPayload = { id: event.id, type: event.type, data: event.data };
    const { count } = await tx.webhookDelivery.createMany({
      data: subscriptions.map((s) => ({
        id: uuidv7(),
        subscriptionId: s.id,
        eventId: event.id,
        payload: payload as unknown as Prisma.InputJsonValue,
      })),
      skipDuplicates: true,
    });
    this.metrics.queuedTotal.inc(count);
    return count;
  }

  /** The feed position new subscriptions start after: everything committed so far is "before". */
  async currentFeedPosition(tx: PrismaTx): Promise<bigint> {
    const { _max } = await tx.consentEvent.aggregate({ _max: { seq: true } });
    return _max.seq ?? 0n;
  }
}
