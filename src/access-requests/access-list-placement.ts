/**
 * The access-list half of an approval: resolve the list the owner named, add the consumer, and
 * connect the list to the resource when it is not connected yet — all in the approval's
 * transaction.
 *
 * Members go through AccessListMembersService.addMembersInTransaction (it locks the list row,
 * bumps the version, audits and NOTIFYs). That service has no in-transaction way to connect a
 * resource, so the connection is written here with the same rules: the list row is already
 * locked by the member call, the version moves on, the audit row matches the access-lists
 * context's `access-list.connection.create`, and the NOTIFY runs in the transaction so other
 * replicas drop cached answers exactly when it commits.
 *
 * A new connection gets no action filter (every action, `requestconsent` included): approving
 * means "this consumer may use the resource". An existing connection is left as the owner set it.
 */
import { Injectable } from '@nestjs/common';
import type { AuditActor } from '../audit/audit.service.js';
import { ChangeLogService } from '../audit/change-log.service.js';
import { AccessListMembersService } from '../access-lists/access-list-members.service.js';
import type { PrismaTx } from '../prisma/prisma.service.js';
import { AccessRequestErrors } from './access-request.errors.js';
import { AccessRequestsRepository } from './access-requests.repository.js';

/** An access list's URN: its owner's org code and its identifier. */
export const LIST_URN = /^urn:altinn:access-list:([^:]+):(.+)$/;

export interface ResolvedList {
  listId: string;
  orgcode: string;
  identifier: string;
}

@Injectable()
export class AccessListPlacement {
  constructor(
    private readonly members: AccessListMembersService,
    private readonly changes: ChangeLogService,
    private readonly repository: AccessRequestsRepository,
  ) {}

  /**
   * The owner's list named by `ref` (identifier or URN). A list of another owner → 403
   * AR-00005 (DESIGN §10), a name no owner uses → 404 AR-00006.
   */
  async resolve(tx: PrismaTx, ownerOrgNumber: string, ref: string): Promise<ResolvedList> {
    const owner = await tx.owner.findUnique({
      where: { orgNumber: ownerOrgNumber },
      select: { orgcode: true },
    });
    if (!owner) throw AccessRequestErrors.foreignAccessList(ref);
    let identifier = ref;
    const urn = LIST_URN.exec(ref);
    if (urn) {
      if (urn[1] !== owner.orgcode) throw AccessRequestErrors.foreignAccessList(ref);
      identifier = urn[2];
    }
    const own = await tx.accessList.findUnique({
      where: { owner_identifier: { owner: owner.orgcode, identifier } },
      select: { id: true },
    });
    if (own) return { listId: own.id, orgcode: owner.orgcode, identifier };
    const foreign = await tx.accessList.count({ where: { identifier, owner: { not: owner.orgcode } } });
    if (foreign > 0) throw AccessRequestErrors.foreignAccessList(ref);
    throw AccessRequestErrors.unknownAccessList(ref, owner.orgcode);
  }

  /** Adds the consumer and connects the resource; `changed` when the list moved to a new version. */
  async place(
    tx: PrismaTx,
    ownerOrgNumber: string,
    list: ResolvedList,
    consumerOrgNumber: string,
    resource: string,
    actor: AuditActor,
  ): Promise<{ listId: string; changed: boolean }> {
    const added = await this.members.addMembersInTransaction(
      tx,
      ownerOrgNumber,
      list.identifier,
      [consumerOrgNumber],
      actor,
    );
    const key = { listId_resourceIdentifier: { listId: added.listId, resourceIdentifier: resource } };
    if (await tx.accessListConnection.findUnique({ where: key }))
      return { listId: added.listId, changed: added.changed };

    const now = new Date();
    await tx.accessListConnection.create({
      data: {
        listId: added.listId,
        resourceIdentifier: resource,
        actionFilters: [],
        createdAt: now,
        updatedAt: now,
      },
    });
    // The list row is locked (addMembersInTransaction took it FOR UPDATE), so a plain bump is safe.
    const version = (await this.repository.bumpListVersion(tx, added.listId)) ?? added.version + 1;
    await this.changes.record(tx, {
      topic: 'access-list',
      id: added.listId,
      audit: {
        actor,
        action: 'access-list.connection.create',
        objectType: 'access-list',
        objectId: `urn:altinn:access-list:${list.orgcode}:${list.identifier}`,
        ownerOrg: ownerOrgNumber,
        before: { version: version - 1 },
        after: {
          version,
          resourceIdentifier: resource,
          actionFilters: null,
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
        },
      },
    });
    return { listId: added.listId, changed: true };
  }

  /** After the commit: this process's access-list caches drop the old answer at once. */
  committed(listId: string): void {
    this.members.committed(listId);
  }
}
