/**
 * The raw SQL of the consent events: the batch insert of a change's events and the events
 * feed's page query. Raw because a measurement says so for the feed: one index range scan per
 * audience branch, merged by a UNION that Prisma cannot write (bench/consents.ts times it at
 * 1,000,000 events, < 20 ms a page). The insert is one `unnest` statement for any number of
 * events, in the writer's transaction.
 */
import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service.js';
import { EXTENSION_EVENT_TYPES, type ConsentEventType } from './consent.record.js';

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

/** Events `$1` (ids), one row per element of the seven parallel arrays. */
export const INSERT_EVENTS_SQL = `INSERT INTO consent_events (id, consent_request_id, event_type, created_at, performed_by, to_org, handled_by)
  SELECT e.* FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[]) AS e`;

/** One event to insert; `id` already chosen. */
export interface ConsentEventRow {
  id: string;
  consentRequestId: string;
  eventType: ConsentEventType;
  createdAt: Date;
  performedBy: string | null;
  toOrg: string;
  handledBy: string | null;
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

export interface RawFeedRow {
  position: string;
  consent_request_id: string;
  event_type: string;
  created_at: Date;
}

@Injectable()
export class ConsentEventsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Inserts the events in `tx`, with placeholder feed positions (ConsentFeedSequencer numbers them). */
  async insert(tx: PrismaTx, events: ConsentEventRow[]): Promise<void> {
    await tx.$executeRawUnsafe(
      INSERT_EVENTS_SQL,
      events.map((e) => e.id),
      events.map((e) => e.consentRequestId),
      events.map((e) => e.eventType),
      events.map((e) => e.createdAt.toISOString()),
      events.map((e) => e.performedBy),
      events.map((e) => e.toOrg),
      events.map((e) => e.handledBy),
    );
  }

  /** One page of the feed for `audience`, by feed position. */
  async feedPage(audience: FeedAudience, filter: FeedFilter): Promise<RawFeedRow[]> {
    return this.prisma.$queryRaw<RawFeedRow[]>(feedQuery(audience, filter));
  }
}
