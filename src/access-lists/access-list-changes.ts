/**
 * Change notification for access lists, through the one change path (ChangeLogService): the
 * audit row and the NOTIFY run inside the writing transaction, so other replicas hear of the
 * change exactly when (and only if) it commits; this process is told right after the commit.
 */
import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal.js';
import { actorOf } from '../audit/audit.service.js';
import { ChangeLogService } from '../audit/change-log.service.js';
import type { PrismaTx } from '../prisma/prisma.service.js';
import type { OwnerRef } from './access-list-owner.gate.js';
import { accessListUrn } from './access-list.mapper.js';

@Injectable()
export class AccessListChanges {
  constructor(private readonly changes: ChangeLogService) {}

  /** Audit row + cross-replica NOTIFY, both in the caller's transaction. */
  async record(
    tx: PrismaTx,
    entry: {
      principal:
        Principal | { actor: { org?: string | null; client?: string | null; person?: string | null } };
      owner: OwnerRef;
      identifier: string;
      listId: string;
      action: string;
      before?: unknown;
      after?: unknown;
    },
  ): Promise<void> {
    const actor = 'actor' in entry.principal ? entry.principal.actor : actorOf(entry.principal);
    await this.changes.record(tx, {
      topic: 'access-list',
      id: entry.listId,
      audit: {
        actor,
        action: entry.action,
        objectType: 'access-list',
        objectId: accessListUrn(entry.owner.orgcode, entry.identifier),
        ownerOrg: entry.owner.orgNumber,
        before: entry.before,
        after: entry.after,
      },
    });
  }

  /** After the commit: invalidate this process's caches. */
  committed(listId: string): void {
    this.changes.committed({ topic: 'access-list', id: listId });
  }
}
