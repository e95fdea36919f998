/**
 * The one statement of the signing keys that Prisma cannot express: a transaction-scoped advisory
 * lock (docs/architecture.md, "Database access"). No table is involved, so
 * `test/unit/raw-sql-schema.spec.ts` has nothing of it to check.
 */
import { Prisma } from '../generated/prisma/client.js';
import type { PrismaTx } from '../prisma/prisma.service.js';

export const SIGNING_KEY_SQL = {
  /** An advisory lock: Prisma has no locks. */
  lockKeys: (lock: number) => Prisma.sql`SELECT pg_advisory_xact_lock(${lock}::bigint)`,
};

/** Serialises the key changes of all replicas until the transaction ends. */
export async function lockKeys(tx: PrismaTx, lock: number): Promise<void> {
  await tx.$executeRaw(SIGNING_KEY_SQL.lockKeys(lock));
}
