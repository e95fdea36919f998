import { Injectable } from '@nestjs/common';
import { actorOf } from '../audit/audit.service.js';
import { ChangeLogService } from '../audit/change-log.service.js';
import type { Principal } from '../common/auth/principal.js';
import type { AccessRequest } from '../generated/prisma/client.js';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service.js';
import { ResourcesService } from '../resources/resources.service.js';
import { ScopesService } from '../scopes/scopes.service.js';
import { AccessListPlacement, LIST_URN, type ResolvedList } from './access-list-placement.js';
import {
  accessRequestEvent,
  type AccessRequestEvent,
  type AccessRequestEventType,
} from './access-request-event.record.js';
import { assertOwnersScopes } from './access-request-scopes.check.js';
import { AccessRequestErrors } from './access-request.errors.js';
import { isParty, toAccessRequestDto, toAuditView, toContactPoints } from './access-request.mapper.js';
import {
  TRANSITIONS,
  type AccessRequestDecision,
  type AccessRequestStatus,
} from './access-request.status.js';
import { AccessRequestsRepository } from './access-requests.repository.js';
import type {
  AccessRequestDto,
  ApproveAccessRequestDto,
  RejectAccessRequestDto,
} from './dto/access-request.dto.js';

const EVENT_OF: Record<AccessRequestDecision, AccessRequestEventType> = {
  approve: 'access-request.approved',
  reject: 'access-request.rejected',
  withdraw: 'access-request.withdrawn',
};

interface Decided {
  dto: AccessRequestDto;
  /** Access list that moved to a new version (caches to drop after the commit). */
  changedListId?: string;
}

interface StoredList {
  owner: string;
  identifier: string;
}

/**
 * The decisions on an access request (DESIGN §4.4): the owner approves (grants the scopes and
 * places the consumer on an access list, in one transaction) or rejects; the consumer may
 * withdraw while it is pending.
 *
 * Concurrency: every decision locks the request row (`SELECT … FOR UPDATE`) and changes it only
 * from `pending`, so approve racing withdraw (or two approvals) ends in exactly one end state,
 * and a repeated decision answers 200 with the stored request without writing anything.
 */
@Injectable()
export class AccessRequestDecisionsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly resources: ResourcesService,
    private readonly scopes: ScopesService,
    private readonly placement: AccessListPlacement,
    private readonly changes: ChangeLogService,
    private readonly repository: AccessRequestsRepository,
  ) {}

  /** By the consumer, while the request is pending. */
  async withdraw(principal: Principal, id: string): Promise<AccessRequestDto> {
    return this.decide(principal, id, 'withdraw', {});
  }

  /** By the owner: grants the scopes and, when `accessList` names one, places the consumer on it. */
  async approve(principal: Principal, id: string, body: ApproveAccessRequestDto): Promise<AccessRequestDto> {
    return this.decide(principal, id, 'approve', { accessList: body.accessList });
  }

  async reject(principal: Principal, id: string, body: RejectAccessRequestDto): Promise<AccessRequestDto> {
    return this.decide(principal, id, 'reject', { reason: body.reason });
  }

  /**
   * One decision under the row lock. Order of answers: unknown/not a party → 404; wrong side →
   * 403; already in the target state → 200 with the stored request (nothing written); another
   * end state → 409; then the decision's own checks (400/403/404), all before any write.
   */
  private async decide(
    principal: Principal,
    id: string,
    decision: AccessRequestDecision,
    input: { accessList?: string; reason?: string },
  ): Promise<AccessRequestDto> {
    // Read outside the transaction: the resource view may need the database, and on the
    // embedded database (one connection) a query outside a running transaction would wait on it.
    const before = await this.prisma.accessRequest.findUnique({ where: { id } });
    if (!before || !isParty(before, principal)) throw AccessRequestErrors.notFound(id);
    const resource = await this.resources.getConsentResource(before.resourceIdentifier);

    const result = await this.changes.transaction(async (tx, record): Promise<Decided> => {
      const row = await this.lock(tx, id);
      if (!row) throw AccessRequestErrors.notFound(id);
      if (decision === 'withdraw') {
        if (row.consumerOrgNumber !== principal.consumer) throw AccessRequestErrors.notConsumer();
      } else if (row.ownerOrgNumber !== principal.consumer) throw AccessRequestErrors.notOwner();

      const target = TRANSITIONS[decision];
      if (row.status === target) {
        const stored = await this.storedList(tx, row.accessListId);
        if (decision === 'approve' && input.accessList !== undefined && !sameList(input.accessList, stored))
          throw AccessRequestErrors.alreadyApprovedWithOtherList(id, stored?.identifier ?? null);
        return { dto: toAccessRequestDto(row, stored?.identifier ?? null, toContactPoints(resource)) };
      }
      if (row.status !== 'pending')
        throw AccessRequestErrors.wrongStatus(id, row.status as AccessRequestStatus, target);

      const actor = actorOf(principal);
      let list: ResolvedList | null = null;
      let changedListId: string | undefined;
      const granted: string[] = [];
      if (decision === 'approve') {
        if (!resource) throw AccessRequestErrors.resourceGone(id, row.resourceIdentifier);
        if (input.accessList === undefined && resource.accessListMode === 'Enabled')
          throw AccessRequestErrors.accessListRequired(row.resourceIdentifier);
        if (input.accessList !== undefined)
          list = await this.placement.resolve(tx, row.ownerOrgNumber, input.accessList);
        const scopes = row.scopes ?? [];
        await assertOwnersScopes(tx, scopes, row.ownerOrgNumber, '$.scopes');
        for (const scope of scopes)
          if (await this.scopes.grantInTx(tx, scope, row.consumerOrgNumber, actor)) granted.push(scope);
        if (list) {
          const placed = await this.placement.place(
            tx,
            row.ownerOrgNumber,
            list,
            row.consumerOrgNumber,
            row.resourceIdentifier,
            actor,
          );
          if (placed.changed) changedListId = placed.listId;
        }
      }

      const updated = await tx.accessRequest.update({
        where: { id },
        data: {
          status: target,
          openKey: null,
          updatedAt: new Date(),
          ...(decision === 'reject' ? { reason: input.reason } : {}),
          ...(list ? { accessListId: list.listId } : {}),
        },
      });
      const dto = toAccessRequestDto(updated, list?.identifier ?? null, toContactPoints(resource));
      await record<AccessRequestEvent>({
        topic: 'access-request',
        id,
        audit: {
          actor,
          action: `access-request.${decision}`,
          objectType: 'access-request',
          objectId: id,
          ownerOrg: row.ownerOrgNumber,
          before: { status: row.status },
          after: { ...toAuditView(dto), ...(decision === 'approve' ? { granted } : {}) },
        },
        payload: accessRequestEvent(EVENT_OF[decision], dto),
      });
      // A scope granted here changes what tokens the consumer may get, on every replica.
      for (const scope of granted) await record({ topic: 'scope', id: scope });
      return { dto, changedListId };
    });

    if (result.changedListId) this.placement.committed(result.changedListId);
    return result.dto;
  }

  /** The row, locked until the transaction ends (every decision goes through here). */
  private async lock(tx: PrismaTx, id: string): Promise<AccessRequest | null> {
    if (!(await this.repository.lock(tx, id))) return null;
    return tx.accessRequest.findUnique({ where: { id } });
  }

  private async storedList(tx: PrismaTx, listId: string | null): Promise<StoredList | null> {
    if (!listId) return null;
    return tx.accessList.findUnique({ where: { id: listId }, select: { owner: true, identifier: true } });
  }
}

/** Whether an approval naming `ref` (identifier or URN) names the list it was approved with. */
function sameList(ref: string, stored: StoredList | null): boolean {
  if (!stored) return false;
  const urn = LIST_URN.exec(ref);
  return urn ? urn[1] === stored.owner && urn[2] === stored.identifier : ref === stored.identifier;
}
