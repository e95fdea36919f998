/**
 * The statements of the webhooks context that Prisma cannot express (docs/architecture.md,
 * "Database access"). Each says why it is raw; everything else in this context is Prisma.
 * `WEBHOOK_SQL` builds them, so `test/unit/raw-sql-schema.spec.ts` can check their text against
 * schema.prisma.
 */
import { Prisma } from '../generated/prisma/client.js';
import type { PrismaService, PrismaTx } from '../prisma/prisma.service.js';
import type { StoredPayload } from './webhook-events.js';

type Db = PrismaService | PrismaTx;

export const WEBHOOK_SQL = {
  /** A transaction-scoped advisory lock: Prisma has no locks. */
  lockOrgSubscriptions: (org: string) =>
    Prisma.sql`SELECT pg_advisory_xact_lock(hashtext('webhook-subscriptions'), hashtext(${org}))`,

  /** `FOR UPDATE SKIP LOCKED`: one replica fans out at a time, the others skip instead of waiting. */
  lockCursor: (id: string) =>
    Prisma.sql`SELECT last_seq FROM webhook_cursor WHERE id = ${id} FOR UPDATE SKIP LOCKED`,

  /** Insert-if-absent at the feed's end, in one statement (an INSERT … SELECT … ON CONFLICT). */
  createCursor: (id: string) => Prisma.sql`INSERT INTO webhook_cursor (id, last_seq)
    SELECT ${id}, GREATEST(COALESCE(MAX(seq), 0), 0) FROM consent_events ON CONFLICT (id) DO NOTHING`,

  /** Moves the cursor to the feed's end in one statement (an UPDATE … FROM an aggregate). */
  skipCursorToEnd: (id: string, after: bigint) => Prisma.sql`UPDATE webhook_cursor c
    SET last_seq = f.max_seq, updated_at = now()
    FROM (SELECT MAX(seq) AS max_seq FROM consent_events WHERE seq > ${after}) f
    WHERE c.id = ${id} AND f.max_seq IS NOT NULL`,

  /** Claim and lease in one statement over rows picked with `FOR UPDATE … SKIP LOCKED`. */
  claimDue: (limit: number, leaseSeconds: number) => Prisma.sql`
    UPDATE webhook_deliveries d
       SET attempts = d.attempts + 1,
           next_attempt_at = now() + make_interval(secs => ${leaseSeconds})
      FROM (SELECT wd.id FROM webhook_deliveries wd
              JOIN webhook_subscriptions ws ON ws.id = wd.subscription_id
             WHERE wd.status = 'pending' AND wd.next_attempt_at <= now() AND ws.active
             ORDER BY wd.next_attempt_at
             LIMIT ${limit}
               FOR UPDATE OF wd SKIP LOCKED) due,
           webhook_subscriptions s
     WHERE d.id = due.id AND s.id = d.subscription_id
    RETURNING d.id::text AS id, d.subscription_id::text AS subscription_id, d.payload, d.attempts,
              d.created_at, s.url, s.secret`,

  /** Counts a failure and answers whether it has lasted the window, by the database's clock, in one statement. */
  countFailure: (subscriptionId: string, windowSeconds: number) => Prisma.sql`
    UPDATE webhook_subscriptions
       SET failure_count = failure_count + 1, failing_since = COALESCE(failing_since, now())
     WHERE id = ${subscriptionId}::uuid
    RETURNING active, failing_since <= now() - make_interval(secs => ${windowSeconds}) AS failing_long,
              org_number, url`,

  /** Cancels the pending deliveries, keeping each one's own last error (a per-row COALESCE). */
  cancelPending: (subscriptionId: string) => Prisma.sql`
    UPDATE webhook_deliveries SET status = 'cancelled', last_error = COALESCE(last_error, 'subscription disabled')
     WHERE subscription_id = ${subscriptionId}::uuid AND status = 'pending'`,
};

export interface ClaimRow {
  id: string;
  subscription_id: string;
  payload: StoredPayload;
  attempts: number;
  created_at: Date;
  url: string;
  secret: string;
}

export interface FailingSubscriptionRow {
  active: boolean;
  failing_long: boolean;
  org_number: string;
  url: string;
}

export async function lockOrgSubscriptions(tx: PrismaTx, org: string): Promise<void> {
  await tx.$executeRaw(WEBHOOK_SQL.lockOrgSubscriptions(org));
}

/** The cursor's position, locked; null when another replica holds it or the row is missing. */
export async function lockCursor(tx: PrismaTx, id: string): Promise<{ last_seq: bigint } | null> {
  const [row] = await tx.$queryRaw<{ last_seq: bigint }[]>(WEBHOOK_SQL.lockCursor(id));
  return row ?? null;
}

export async function createCursor(tx: PrismaTx, id: string): Promise<void> {
  await tx.$executeRaw(WEBHOOK_SQL.createCursor(id));
}

export async function skipCursorToEnd(tx: PrismaTx, id: string, after: bigint): Promise<void> {
  await tx.$executeRaw(WEBHOOK_SQL.skipCursorToEnd(id, after));
}

export function claimDue(db: Db, limit: number, leaseSeconds: number): Promise<ClaimRow[]> {
  return db.$queryRaw<ClaimRow[]>(WEBHOOK_SQL.claimDue(limit, leaseSeconds));
}

export async function countFailure(
  tx: PrismaTx,
  subscriptionId: string,
  windowSeconds: number,
): Promise<FailingSubscriptionRow | null> {
  const [row] = await tx.$queryRaw<FailingSubscriptionRow[]>(
    WEBHOOK_SQL.countFailure(subscriptionId, windowSeconds),
  );
  return row ?? null;
}

export async function cancelPending(tx: PrismaTx, subscriptionId: string): Promise<void> {
  await tx.$executeRaw(WEBHOOK_SQL.cancelPending(subscriptionId));
}
