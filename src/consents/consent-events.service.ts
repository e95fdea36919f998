/**
 * Consent events: the history rows of every consent and the Altinn events feed built on them.
 * Writers insert events in the transaction of the change (no lock, so commits group-commit);
 * their feed position `seq` is assigned after commit by ConsentFeedSequencer, whose comment
 * explains why the feed never skips an event. Until sequenced a row holds a negative
 * placeholder, so every feed read (`seq > cursor`, cursor ≥ 0) ignores it.
 */
import { ConsentMetrics } from './consent-metrics.js';
import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service.js';
import { EXTENSION_EVENT_TYPES, type ConsentEventRecord, type ConsentEventType } from './consent.record.js';
import { uuidv7 } from '../common/identifiers/uuid.js';

/** Altinn's events page size (its `ConsentSettings.EventsPageSize`); `CONSENT_EVENTS_PAGE_SIZE` changes it. */
export const FEED_PAGE_SIZE = 100;

export interface NewConsentEvent {
  /** The event's id when the caller must know it first (a row that refers to it); else a new UUIDv7. */
  id?: string;
  consentRequestId: string;
  eventType: ConsentEventType;
  createdAt: Date;
  performedBy: string | null;
  toOrg: string;
  handledBy: string | null;
}

/** Who is asking: events of requests `to` these orgs or `handledBy` these orgs. */
export interface FeedAudience {
  toOrgs: string[];
  handledByOrgs: string[];
}

export interface FeedFilter {
  /** Last feed position the reader has seen (0 = from the start). */
  afterSeq: bigint;
  createdAfter?: Date;
  createdBefore?: Date;
  eventTypes?: ConsentEventType[];
  consentRequestId?: string;
  limit: number;
}

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

/**
 * The feed query. One index range scan per audience branch (`(to_org, seq)` / `(handled_by,
 * seq)`), each stopped at `limit`, merged by seq: the cost does not grow with the table.
 * Exported so the benchmark times and EXPLAINs exactly this statement.
 */
export function feedQuery(audience: FeedAudience, f: FeedFilter): Prisma.Sql {
  const after = f.afterSeq > 0n ? f.afterSeq : 0n; // never below 0: placeholders are negative
  const conditions: Prisma.Sql[] = [Prisma.sql`seq > ${after.toString()}::bigint`];
  if (f.createdAfter) conditions.push(Prisma.sql`created_at > ${f.createdAfter.toISOString()}::timestamptz`);
  if (f.createdBefore)
    conditions.push(Prisma.sql`created_at < ${f.createdBefore.toISOString()}::timestamptz`);
  if (f.eventTypes?.length) conditions.push(Prisma.sql`event_type = ANY(${f.eventTypes}::text[])`);
  // Reminders (beyond Altinn) only for a reader who names them: Altinn's clients never see them.
  else conditions.push(Prisma.sql`event_type <> ALL(${[...EXTENSION_EVENT_TYPES]}::text[])`);
  if (f.consentRequestId) conditions.push(Prisma.sql`consent_request_id = ${f.consentRequestId}::uuid`);
  const where = Prisma.join(conditions, ' AND ');
  const branch = (column: Prisma.Sql, org: string) =>
    Prisma.sql`(SELECT seq, consent_request_id, event_type, created_at FROM consent_events
      WHERE ${column} = ${org} AND ${where} ORDER BY seq LIMIT ${f.limit})`;
  const branches = [
    ...audience.toOrgs.map((o) => branch(Prisma.raw('to_org'), o)),
    ...audience.handledByOrgs.map((o) => branch(Prisma.raw('handled_by'), o)),
  ];
  // Order by the bigint column of the union, not by the text alias (which would sort "10" < "9").
  return Prisma.sql`SELECT e.seq::text AS position, e.consent_request_id::text AS consent_request_id, e.event_type, e.created_at
    FROM (${Prisma.join(branches, ' UNION ')}) e ORDER BY e.seq LIMIT ${f.limit}`;
}

interface RawFeedRow {
  position: string;
  consent_request_id: string;
  event_type: string;
  created_at: Date;
}

/** History order: sequenced events by position, then any not yet sequenced in insertion order. */
function historyOrder(a: { seq: bigint }, b: { seq: bigint }): number {
  const ka = a.seq > 0n ? a.seq : 2n ** 62n - a.seq;
  const kb = b.seq > 0n ? b.seq : 2n ** 62n - b.seq;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

@Injectable()
export class ConsentEventsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly metrics: ConsentMetrics,
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
    await tx.$executeRaw`
      INSERT INTO consent_events (id, consent_request_id, event_type, created_at, performed_by, to_org, handled_by)
      SELECT e.* FROM unnest(${ids}::uuid[], ${events.map((e) => e.consentRequestId)}::uuid[], ${events.map((e) => e.eventType)}::text[],
        ${events.map((e) => e.createdAt.toISOString())}::timestamptz[], ${events.map((e) => e.performedBy)}::text[],
        ${events.map((e) => e.toOrg)}::text[], ${events.map((e) => e.handledBy)}::text[]) AS e`;
    // The metric counts states entered; reminders and usage summaries are not states.
    for (const e of events)
      if (!(EXTENSION_EVENT_TYPES as readonly string[]).includes(e.eventType))
        this.metrics.count(e.eventType);
    return ids;
  }

  async feed(audience: FeedAudience, filter: FeedFilter): Promise<FeedRow[]> {
    if (!audience.toOrgs.length && !audience.handledByOrgs.length) return [];
    const rows = await this.prisma.$queryRaw<RawFeedRow[]>(feedQuery(audience, filter));
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
    for (const r of rows)
      out.get(r.consentRequestId)?.push({
        id: r.id,
        seq: r.seq,
        consentRequestId: r.consentRequestId,
        eventType: r.eventType as ConsentEventType,
        createdAt: r.createdAt,
        performedBy: r.performedBy,
        reason: r.reason,
        extensionId: r.extensionId,
      });
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
    return rows.map((r) => ({
      id: r.id,
      seq: r.seq,
      consentRequestId: r.consentRequestId,
      eventType: r.eventType as ConsentEventType,
      createdAt: r.createdAt,
      performedBy: r.performedBy,
      toOrg: r.toOrg,
      handledBy: r.handledBy,
      reason: r.reason,
      extensionId: r.extensionId,
    }));
  }
}
