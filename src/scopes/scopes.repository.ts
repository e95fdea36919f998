/**
 * The statements of the scopes context that Prisma cannot express: row locks
 * (docs/architecture.md, "Database access"). `SCOPE_SQL` builds them so that
 * `test/unit/raw-sql-schema.spec.ts` can check their text against schema.prisma.
 */
import { Prisma } from '../generated/prisma/client.js';
import type { PrismaTx } from '../prisma/prisma.service.js';

export const SCOPE_SQL = {
  /** `FOR UPDATE`: Prisma reads without row locks. */
  lockScope: (name: string) => Prisma.sql`SELECT name FROM scopes WHERE name = ${name} FOR UPDATE`,
  /** `FOR SHARE`: Prisma reads without row locks. */
  shareGrant: (scope: string, consumer: string) =>
    Prisma.sql`SELECT 1 FROM scope_grants WHERE scope = ${scope} AND consumer_org_number = ${consumer} FOR SHARE`,
};

/** Locks the scope's row (if there is one) until the transaction ends. */
export async function lockScope(tx: PrismaTx, name: string): Promise<void> {
  await tx.$queryRaw(SCOPE_SQL.lockScope(name));
}

/**
 * Whether the scope is granted to the consumer, holding the grant row with a share lock until the
 * transaction ends (a concurrent revocation waits for it).
 */
export async function shareGrant(tx: PrismaTx, scope: string, consumer: string): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>(SCOPE_SQL.shareGrant(scope, consumer));
  return rows.length > 0;
}
