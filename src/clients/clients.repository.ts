/**
 * The one statement of the clients context that Prisma cannot express: a row lock
 * (docs/architecture.md, "Database access"). `CLIENT_SQL` builds it so that
 * `test/unit/raw-sql-schema.spec.ts` can check its text against schema.prisma.
 */
import { Prisma } from '../generated/prisma/client.js';
import type { PrismaTx } from '../prisma/prisma.service.js';

export const CLIENT_SQL = {
  /** `FOR UPDATE`: Prisma reads without row locks. */
  lockClient: (clientId: string) =>
    Prisma.sql`SELECT client_id FROM clients WHERE client_id = ${clientId} FOR UPDATE`,
};

/** Locks the client's row (if there is one) until the transaction ends. */
export async function lockClient(tx: PrismaTx, clientId: string): Promise<void> {
  await tx.$queryRaw(CLIENT_SQL.lockClient(clientId));
}
