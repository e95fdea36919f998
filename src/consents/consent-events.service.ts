/**
 * Consent events: the history rows of every consent and the Altinn events feed built on them.
 * Writers insert events in the transaction of the change (no lock, so commits group-commit);
 * their feed position `seq` is assigned after commit by ConsentFeedSequencer, whose comment
 * explains why the feed never skips an event. Until sequenced a row holds a negative
 * placeholder, so every feed read (`seq > cursor`, cursor ≥ 0) ignores it.
 */
import { Injectable } from '@nestjs/common';
import { uuidv7 } from '../common/identifiers/uuid.js';
import type { ConsentEvent } from '../generated/prisma/client.js';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service.js';
import {
  ConsentEventsRepository,
  type ConsentEventRow,
  type FeedAudience,
  type FeedFilter,
} from './consent-events.repository.js';
import { ConsentMetrics } from './consent-metrics.js';
import { EXTENSION_EVENT_TYPES, type ConsentEventRecord, type ConsentEventType } from './consent.record.js';

/** Altinn's events page size (its `ConsentSettings.EventsPageSize`); `CONSENT_EVENTS_PAGE_SIZE` changes it. */
export const FEED_PAGE_SIZE = 100;

/** An event to append; `id` when the caller must know it first (a row that refers to it), else a new UUIDv7. */
export type NewConsentEvent = Omit<ConsentEventRow, 'id'> & { id?: string };

export interface FeedRow {
  seq: bigint;
  consentRequestId: string;
  eventType: ConsentEventType;
  createdAt: Date;
}

/** A feed row with the parties, for in-process consumers (webhook outbox). */
export interface ConsentEventFeedRow extends FeedRow {
  id: string;
  performedBy: string | null;
  toOrg: string;
  handledBy: string | null;
  reason: string | null;
  extensionId: string | null;
}

/** History order: sequenced events by position, then any not yet sequenced in insertion order. */
function historyOrder(a: { seq: bigint }, b: { seq: bigint }): number {
  const ka = a.seq > 0n ? a.seq : 2n ** 62n - a.seq;
  const kb = b.seq > 0n ? b.seq : 2n ** 62n - b.seq;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function toEventRecord(r: ConsentEvent): ConsentEventRecord & { extensionId: string | null } {
  return {
    id: r.id,
    seq: r.seq,
    consentRequestId: r.consentRequestId,
    eventType: r.eventType as ConsentEventType,
    createdAt: r.createdAt,
    performedBy: r.performedBy,
    reason: r.reason,
    extensionId: r.extensionId,
  };
}

@Injectable()
export class ConsentEventsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly metrics: ConsentMetrics,
    private readonly repository: ConsentEventsRepository,
  ) {}

  /**
   * Writes events in the caller's transaction. They are the outbox of the consent change: after
   * the commit the caller emits the change locally (`ChangeBus.emitLocal`) and awaits
   * `ConsentFeedSequencer.afterCommit()`, whose numbering notifies the other replicas — so the
   * events are in the feed, and announced, before it answers.
   */
  async append(tx: PrismaTx, events: NewConsentEvent[]): Promise<string[]> {
    if (!events.length) return [];
    const ids = events.map((e) => e.id ?? uuidv7(e.createdAt.getTime()));
    await this.repository.insert(
      tx,
      events.map((e, n) => ({ ...e, id: ids[n] })),
    );
    // The metric counts states entered; reminders and usage summaries are not states.
    for (const e of events)
      if (!(EXTENSION_EVENT_TYPES as readonly string[]).includes(e.eventType))
        this.metrics.count(e.eventType);
    return ids;
  }

  async feed(audience: FeedAudience, filter: FeedFilter): Promise<FeedRow[]> {
    if (!audience.toOrgs.length && !audience.handledByOrgs.length) return [];
    const rows = await this.repository.feedPage(audience, filter);
    return rows.map((r) => ({
      seq: BigInt(r.position),
      consentRequestId: r.consent_request_id,
      eventType: r.event_type as ConsentEventType,
      createdAt: r.created_at,
    }));
  }

  /** The history of some requests, oldest first. */
  async forRequests(ids: string[]): Promise<Map<string, ConsentEventRecord[]>> {
    const out = new Map<string, ConsentEventRecord[]>(ids.map((id) => [id, []]));
    if (!ids.length) return out;
    const rows = await this.prisma.consentEvent.findMany({ where: { consentRequestId: { in: ids } } });
    rows.sort(historyOrder);
    for (const r of rows) out.get(r.consentRequestId)?.push(toEventRecord(r));
    return out;
  }

  /**
   * Every sequenced event after feed position `afterSeq`, oldest first, for in-process tailers
   * (e.g. a webhook outbox): the feed is a gap-free prefix, so remembering the last seq is enough.
   */
  async readAfter(afterSeq: bigint, limit = FEED_PAGE_SIZE): Promise<ConsentEventFeedRow[]> {
    const rows = await this.prisma.consentEvent.findMany({
      where: { seq: { gt: afterSeq > 0n ? afterSeq : 0n } },
      orderBy: { seq: 'asc' },
      take: limit,
    });
    return rows.map((r) => ({ ...toEventRecord(r), toOrg: r.toOrg, handledBy: r.handledBy }));
  }
}
