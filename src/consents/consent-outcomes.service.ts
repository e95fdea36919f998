/**
 * What a partial acceptance (beyond Altinn) granted, for readers outside this context that work
 * inside their own transaction (the webhook outbox fans out inside one, and on the embedded
 * database that transaction holds the only connection).
 */
import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import type { PrismaTx } from '../prisma/prisma.service.js';
import { readPartialAcceptance, grantedRights } from './consent-partial-acceptance.js';
import type { ConsentRight } from './consent.record.js';

/** The accepted and the declined rights of a consent whose person chose some of them. */
export interface AcceptedSubset {
  acceptedRights: ConsentRight[];
  declinedRights: ConsentRight[];
}

@Injectable()
export class ConsentOutcomesService {
  /**
   * The subsets of those of `ids` that allowed partial acceptance and were decided; consents
   * without the opt-in are left out (their outcome is Altinn's: everything), so a reader adds
   * nothing to Altinn's shapes for them.
   */
  async acceptedSubsets(tx: PrismaTx, ids: string[]): Promise<Map<string, AcceptedSubset>> {
    const out = new Map<string, AcceptedSubset>();
    if (!ids.length) return out;
    const rows = await tx.consentRequest.findMany({
      where: { id: { in: ids }, partialAcceptance: { not: Prisma.DbNull } },
      select: { id: true, consentRights: true, partialAcceptance: true },
    });
    for (const row of rows) {
      const partial = readPartialAcceptance(row.partialAcceptance);
      if (!partial?.declined) continue;
      const rights = row.consentRights as unknown as ConsentRight[];
      const declined = new Set(partial.declined);
      out.set(row.id, {
        acceptedRights: grantedRights(rights, partial),
        declinedRights: rights.filter((_r, i) => declined.has(i)),
      });
    }
    return out;
  }
}
