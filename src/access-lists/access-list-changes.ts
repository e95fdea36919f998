/**
 * Change notification for access lists. The NOTIFY runs inside the writing transaction, so other
 * replicas hear of the change exactly when (and only if) it commits, without a connection of its
 * own per write; this process is told right after the commit.
 */
import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal.js';
import { ChangeBus } from '../common/events/change-bus.js';
import { AuditService, actorOf } from '../audit/audit.service.js';
import type { PrismaTx } from '../prisma/prisma.service.js';
import type { OwnerRef } from './access-list-owner.gate.js';
import { accessListUrn } from './access-list.mapper.js';

@Injectable()
export class AccessListChanges {
  constructor(
    private readonly bus: ChangeBus,
    private readonly audit: AuditService,
  ) {}

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
    await this.audit.record(tx, {
      actor,
      action: entry.action,
      objectType: 'access-list',
      objectId: accessListUrn(entry.owner.orgcode, entry.identifier),
      ownerOrg: entry.owner.orgNumber,
      before: entry.before,
      after: entry.after,
    });
    const { sql, params } = ChangeBus.notifySql('access-list', entry.listId);
    await tx.$executeRawUnsafe(sql, ...params);
  }

  /** After the commit: invalidate this process's caches. */
  committed(listId: string): void {
    this.bus.emitLocal('access-list', listId);
  }
}
