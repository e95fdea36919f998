/**
 * The raw SQL of the resources context. Raw because Prisma has no row lock: `SELECT … FOR
 * UPDATE` is the only way to make concurrent writes to one resource queue up in the database.
 */
import { Injectable } from '@nestjs/common';
import type { PrismaTx } from '../prisma/prisma.service.js';

/** Locks resource `$1` until the transaction ends; no row when it does not exist. */
export const LOCK_RESOURCE_SQL = `SELECT identifier FROM resources WHERE identifier = $1 FOR UPDATE`;

@Injectable()
export class ResourcesRepository {
  /**
   * Locks the row for the rest of `tx`, so concurrent writes to one resource queue up (version
   * numbers stay gap-free) and a delete cannot interleave with an update.
   */
  async lockForUpdate(tx: PrismaTx, identifier: string): Promise<void> {
    await tx.$queryRawUnsafe(LOCK_RESOURCE_SQL, identifier);
  }
}
