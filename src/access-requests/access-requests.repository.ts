/**
 * The raw SQL of the access-requests context, run in the caller's transaction. Both statements
 * stay raw for what Prisma cannot say: a row lock (`FOR UPDATE`), and `clock_timestamp()` for
 * an access list's `updated_at` (the access-lists context's writers use it too, so the time
 * keeps moving forward when writers queued behind the list's lock).
 */
import { Injectable } from '@nestjs/common';
import type { PrismaTx } from '../prisma/prisma.service.js';

/** Locks access request `$1` until the transaction ends; no row when it does not exist. */
export const LOCK_ACCESS_REQUEST_SQL = `SELECT id::text AS id FROM access_requests WHERE id = $1::uuid FOR UPDATE`;

/** Moves access list `$1` to its next version; its new version. */
export const BUMP_ACCESS_LIST_VERSION_SQL = `UPDATE access_lists SET version = version + 1, updated_at = clock_timestamp()
  WHERE id = $1::uuid RETURNING version`;

@Injectable()
export class AccessRequestsRepository {
  /** Locks the request for the rest of `tx`; false when there is no such request. */
  async lock(tx: PrismaTx, id: string): Promise<boolean> {
    const rows = await tx.$queryRawUnsafe<Array<{ id: string }>>(LOCK_ACCESS_REQUEST_SQL, id);
    return rows.length > 0;
  }

  /** The list's new version, or null when it does not exist. The caller holds the list's row lock. */
  async bumpListVersion(tx: PrismaTx, listId: string): Promise<number | null> {
    const rows = await tx.$queryRawUnsafe<Array<{ version: number }>>(BUMP_ACCESS_LIST_VERSION_SQL, listId);
    return rows[0]?.version ?? null;
  }
}
