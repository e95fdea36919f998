/**
 * The raw SQL of the consent events feed's sequencer (ConsentFeedSequencer explains why the
 * numbering is safe). Raw, and on the app's SqlPool, because a measurement says so: the lock and
 * the numbering must be two statements in one transaction, each with its own snapshot, and one
 * simple-protocol message sends both in one round trip; the numbering is prepared once per
 * connection, since parsing and planning it on every run cost about as much again as running it.
 * Embedded PGlite runs the same SQL through a Prisma transaction.
 */
import { Injectable } from '@nestjs/common';
import { CHANGE_CHANNEL } from '../common/events/change-bus.js';
import { PrismaService, TX_OPTIONS } from '../prisma/prisma.service.js';
import { SqlPool } from '../prisma/sql-pool.js';

/** Advisory lock key of the sequencer (distinct from the migrator's 72707369). */
export const CONSENT_FEED_LOCK_KEY = 736_825_401;

/**
 * The numbering's right plan is known: the pending rows by an index scan on `seq` (they are few)
 * and each row updated through its primary key. Left to itself the planner judges `seq < 0` by
 * statistics taken before those rows existed (or by none, on a young table) and picks seq scans,
 * a sort and a hash join over the whole table — measured ~1–7 ms of database CPU per run instead
 * of ~0.3 ms, and growing with the table. So each run turns those plans off for its own
 * transaction only (`set_config(..., true)`), leaving the shared pool's connections as they were.
 */
const PLAN_SETTINGS = [
  'enable_seqscan',
  'enable_bitmapscan',
  'enable_sort',
  'enable_hashjoin',
  'enable_mergejoin',
]
  .map((setting) => `set_config('${setting}', 'off', true)`)
  .join(', ');

/** Consents per NOTIFY: 100 ids of 36 characters stay well under PostgreSQL's 8000-byte payload. */
export const IDS_PER_NOTIFY = 100;

/**
 * Numbers up to `$1` committed placeholders, oldest insertion first, above the current maximum,
 * and — in the same statement, so in the same transaction — NOTIFYs the other replicas of the
 * consents whose events it numbered (`$2` = this process's origin tag), IDS_PER_NOTIFY ids per
 * notification. One row: how many events it numbered and the distinct consent ids.
 *
 * The consent events are the outbox of consent changes: the writer's transaction inserts the
 * event row, and this numbering publishes it. A change that rolls back leaves no row, so
 * publishes nothing; a writer that dies after its commit leaves a placeholder, which the next run
 * (any replica's timer, within POLL_MS) numbers and publishes. One NOTIFY per batch instead of
 * one per consent write matters: PostgreSQL serialises the commits of all transactions that
 * notified (a cluster-wide lock held through the WAL flush), which was the tail of consent
 * creation (docs/architecture.md, "The change path").
 */
export const NUMBERING_SQL = `WITH numbered AS (
    UPDATE consent_events e SET seq = numbered.position
    FROM (SELECT pending.id,
                 (SELECT GREATEST(COALESCE(MAX(seq), 0), 0) FROM consent_events)
                   + row_number() OVER (ORDER BY pending.seq DESC) AS position
          FROM (SELECT id, seq FROM consent_events WHERE seq < 0 ORDER BY seq DESC LIMIT $1::int) pending) numbered
    WHERE e.id = numbered.id
    RETURNING e.consent_request_id),
  consents AS (
    SELECT DISTINCT consent_request_id::text AS id FROM numbered),
  notified AS (
    SELECT count(pg_notify('${CHANGE_CHANNEL}',
             json_build_object('topic', 'consent', 'ids', chunk.ids, 'origin', $2::text)::text)) AS sent
    FROM (SELECT json_agg(c.id) AS ids
          FROM (SELECT id, (row_number() OVER () - 1) / ${IDS_PER_NOTIFY} AS part FROM consents) c
          GROUP BY c.part) chunk)
  SELECT (SELECT count(*) FROM numbered)::int AS numbered,
         COALESCE((SELECT array_agg(id) FROM consents), '{}') AS ids,
         (SELECT sent FROM notified)::int AS notified`;

interface NumberingRow {
  numbered: number;
  ids: string[];
  notified: number;
}

const NUMBERING_STATEMENT = 'consentgw_number_feed_v2';

@Injectable()
export class ConsentFeedRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlPool,
  ) {
    if (this.sql.available)
      this.sql.onEachConnection(`PREPARE ${NUMBERING_STATEMENT}(int, text) AS ${NUMBERING_SQL}`);
  }

  /**
   * Takes the feed lock, numbers up to `limit` committed placeholders and notifies their
   * consents with `origin`, in one transaction (one round trip on PostgreSQL).
   */
  async numberBatch(limit: number, origin: string): Promise<{ numbered: number; ids: string[] }> {
    let row: NumberingRow | undefined;
    if (this.sql.available) {
      // Both values are ours: an integer and a UUID (ChangeBus.origin), never input.
      const results = await this.sql.script(
        `SELECT ${PLAN_SETTINGS}, pg_advisory_xact_lock(${CONSENT_FEED_LOCK_KEY}); ` +
          `EXECUTE ${NUMBERING_STATEMENT}(${Math.trunc(limit)}, '${origin.replace(/[^0-9a-f-]/gi, '')}')`,
      );
      row = results[1]?.rows[0] as NumberingRow | undefined;
    } else {
      row = await this.prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CONSENT_FEED_LOCK_KEY}::bigint)`;
        const [r] = await tx.$queryRawUnsafe<NumberingRow[]>(NUMBERING_SQL, Math.trunc(limit), origin);
        return r;
      }, TX_OPTIONS);
    }
    return { numbered: Number(row?.numbered ?? 0), ids: row?.ids ?? [] };
  }
}
