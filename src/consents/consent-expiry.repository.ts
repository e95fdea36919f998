/**
 * The raw SQL of the expiry sweeper (ConsentExpirySweeper explains why it is safe with several
 * replicas). Raw because Prisma has no `UPDATE … FROM (SELECT … FOR NO KEY UPDATE SKIP LOCKED)`:
 * claiming the due rows, skipping the ones another sweep or a revoke holds, and changing them
 * must be one statement. Runs in the caller's transaction (the audit rows and events commit with it).
 */
import { Injectable } from '@nestjs/common';
import type { PrismaTx } from '../prisma/prisma.service.js';

/** Expires up to `$1` open consents past `valid_to`, oldest first; one row per consent expired. */
export const EXPIRE_DUE_SQL = `UPDATE consent_requests c SET status = 'expired', updated_at = now()
  FROM (SELECT id, status FROM consent_requests
        WHERE status IN ('accepted', 'created') AND valid_to <= now()
        ORDER BY valid_to LIMIT $1::int
        FOR NO KEY UPDATE SKIP LOCKED) due
  WHERE c.id = due.id
  RETURNING c.id::text AS id, due.status AS old_status, c.valid_to, c.to_org, c.handled_by, c.owner_org`;

/** A consent the sweep expired, with what its audit row and event need. */
export interface ExpiredRow {
  id: string;
  old_status: string;
  valid_to: Date;
  to_org: string;
  handled_by: string | null;
  owner_org: string | null;
}

@Injectable()
export class ConsentExpiryRepository {
  /** Claims and expires up to `limit` due consents in `tx`. */
  expireDue(tx: PrismaTx, limit: number): Promise<ExpiredRow[]> {
    return tx.$queryRawUnsafe<ExpiredRow[]>(EXPIRE_DUE_SQL, Math.trunc(limit));
  }
}
