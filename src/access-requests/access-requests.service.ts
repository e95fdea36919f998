import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { actorOf } from '../audit/audit.service.js';
import { ChangeLogService } from '../audit/change-log.service.js';
import { hasScopes, type Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import type { ValidationProblem } from '../common/errors/domain-error.js';
import { INVALID_VALUE } from '../common/errors/validation-errors.js';
import { ContinuationTokens, type PageTokens } from '../common/paging/continuation-tokens.js';
import { timeAndIdPosition, type TimeAndId } from '../common/paging/page-positions.js';
import { cutPage, pageLink } from '../common/paging/pages.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { AccessRequest, Prisma } from '../generated/prisma/client.js';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service.js';
import type { ConsentResourceView } from '../resources/consent-resource.view.js';
import { ResourcesService } from '../resources/resources.service.js';
import { ScopesService } from '../scopes/scopes.service.js';
import { AccessListPlacement, type ResolvedList } from './access-list-placement.js';
import {
  accessRequestEvent,
  type AccessRequestEvent,
  type AccessRequestEventType,
} from './access-request-event.record.js';
import { AccessRequestErrors } from './access-request.errors.js';
import { openKeyOf, toAccessRequestDto, toContactPoints } from './access-request.mapper.js';
import {
  TRANSITIONS,
  type AccessRequestDecision,
  type AccessRequestStatus,
} from './access-request.status.js';
import type {
  AccessRequestDto,
  AccessRequestPageDto,
  ApproveAccessRequestDto,
  CreateAccessRequestDto,
  ListAccessRequestsQueryDto,
  RejectAccessRequestDto,
} from './dto/access-request.dto.js';

export const ACCESS_REQUESTS_PATH = '/api/v1/access-requests';
export const ACCESS_REQUEST_PAGE_SIZE = 100;

const LIST_URN = /^urn:altinn:access-list:([^:]+):(.+)$/;

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

/**
 * Access requests (DESIGN §4.4, beyond Altinn): a consumer asks the owner of a consent resource
 * for the owner's scopes and a place on one of its access lists; the owner approves (grants and
 * adds in one transaction) or rejects; the consumer may withdraw while it is pending.
 *
 * Who may do what is decided here, not by token scopes (any valid token reaches the routes):
 * the consumer is the token's `consumer` org when the request is made; the owner is the
 * resource's owner at that time. Anyone else gets 404 (nothing to reveal).
 *
 * Concurrency: every decision locks the request row (`SELECT … FOR UPDATE`) and changes it only
 * from `pending`, so approve racing withdraw (or two approvals) ends in exactly one end state,
 * and a repeated decision answers 200 with the stored request without writing anything.
 * One open request per consumer and resource is the unique `open_key` (NULL once decided).
 */
@Injectable()
export class AccessRequestsService {
  /** Newest first: pages continue before `(createdAt, id)`, bound to the caller's org and role. */
  private readonly pages: PageTokens<TimeAndId>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly resources: ResourcesService,
    private readonly scopes: ScopesService,
    private readonly placement: AccessListPlacement,
    private readonly changes: ChangeLogService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    tokens: ContinuationTokens,
  ) {
    this.pages = tokens.forPages('access-requests', timeAndIdPosition);
  }

  // ───────────── consumer ─────────────

  async create(principal: Principal, body: CreateAccessRequestDto): Promise<AccessRequestDto> {
    const resource = await this.resources.getConsentResource(body.resource);
    if (!resource) throw AccessRequestErrors.unknownResource(body.resource);
    if (resource.ownerOrgNumber === principal.consumer) throw AccessRequestErrors.ownResource(body.resource);
    const scopes = body.scopes ?? [];
    await this.assertOwnersScopes(this.prisma, scopes, resource.ownerOrgNumber);

    const openKey = openKeyOf(principal.consumer, resource.identifier);
    return this.changes.transaction(async (tx, record) => {
      const now = new Date();
      const [row] = await tx.accessRequest.createManyAndReturn({
        data: [
          {
            id: randomUUID(),
            consumerOrgNumber: principal.consumer,
            ownerOrgNumber: resource.ownerOrgNumber,
            resourceIdentifier: resource.identifier,
            scopes,
            message: body.message ?? '',
            status: 'pending',
            openKey,
            createdAt: now,
            updatedAt: now,
          },
        ],
        // ON CONFLICT DO NOTHING waits for a concurrent insert of the same key to commit.
        skipDuplicates: true,
      });
      if (!row) {
        const open = await tx.accessRequest.findUnique({ where: { openKey }, select: { id: true } });
        throw AccessRequestErrors.openRequestExists(open?.id, resource.identifier);
      }
      const dto = toAccessRequestDto(row, null, toContactPoints(resource));
      await record<AccessRequestEvent>({
        topic: 'access-request',
        id: row.id,
        audit: {
          actor: actorOf(principal),
          action: 'access-request.create',
          objectType: 'access-request',
          objectId: row.id,
          ownerOrg: row.ownerOrgNumber,
          after: auditView(dto),
        },
        payload: accessRequestEvent('access-request.created', dto),
      });
      return dto;
    });
  }

  async withdraw(principal: Principal, id: string): Promise<AccessRequestDto> {
    return this.decide(principal, id, 'withdraw', {});
  }

  // ───────────── owner ─────────────

  async approve(principal: Principal, id: string, body: ApproveAccessRequestDto): Promise<AccessRequestDto> {
    return this.decide(principal, id, 'approve', { accessList: body.accessList });
  }

  async reject(principal: Principal, id: string, body: RejectAccessRequestDto): Promise<AccessRequestDto> {
    return this.decide(principal, id, 'reject', { reason: body.reason });
  }

  // ───────────── both ─────────────

  async get(principal: Principal, id: string): Promise<AccessRequestDto> {
    const row = await this.prisma.accessRequest.findUnique({ where: { id } });
    if (!row || !this.mayRead(row, principal)) throw AccessRequestErrors.notFound(id);
    const [dto] = await this.toDtos([row]);
    return dto;
  }

  /**
   * Newest first. Without `role` the caller sees the requests it made and those for its
   * resources (the platform operator: all); `role` narrows to one side.
   */
  async list(principal: Principal, query: ListAccessRequestsQueryDto): Promise<AccessRequestPageDto> {
    const me = principal.consumer;
    const scope = `${query.role ?? ''}:${me}`;
    const cursor =
      query.continuationToken !== undefined ? this.pages.decode(query.continuationToken, scope) : undefined;
    const side: Prisma.AccessRequestWhereInput =
      query.role === 'consumer'
        ? { consumerOrgNumber: me }
        : query.role === 'owner'
          ? { ownerOrgNumber: me }
          : hasScopes(principal, Scopes.admin)
            ? {}
            : { OR: [{ consumerOrgNumber: me }, { ownerOrgNumber: me }] };
    const where: Prisma.AccessRequestWhereInput = {
      AND: [
        side,
        query.status !== undefined ? { status: query.status } : {},
        query.resource !== undefined ? { resourceIdentifier: query.resource } : {},
        cursor
          ? {
              OR: [
                { createdAt: { lt: cursor.createdAt } },
                { createdAt: cursor.createdAt, id: { lt: cursor.id } },
              ],
            }
          : {},
      ],
    };
    const rows = await this.prisma.accessRequest.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: ACCESS_REQUEST_PAGE_SIZE + 1,
    });
    const { items, lastIfMore } = cutPage(rows, ACCESS_REQUEST_PAGE_SIZE);
    const next = lastIfMore && this.nextLink(query, this.pages.encode(scope, lastIfMore));
    return { links: { next }, data: await this.toDtos(items) };
  }

  // ───────────── internals ─────────────

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
    if (!before || !this.isParty(before, principal)) throw AccessRequestErrors.notFound(id);
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
        await this.assertOwnersScopes(tx, scopes, row.ownerOrgNumber, '$.scopes');
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
          after: { ...auditView(dto), ...(decision === 'approve' ? { granted } : {}) },
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
    const locked = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT id::text AS id FROM access_requests WHERE id = ${id}::uuid FOR UPDATE`;
    if (locked.length === 0) return null;
    return tx.accessRequest.findUnique({ where: { id } });
  }

  /** One 400 naming every scope that does not exist or is not the owner's (platform scopes included). */
  private async assertOwnersScopes(
    db: PrismaService | PrismaTx,
    scopes: string[],
    ownerOrgNumber: string,
    path = '$.scopes',
  ): Promise<void> {
    if (scopes.length === 0) return;
    const rows = await db.scope.findMany({
      where: { name: { in: scopes } },
      select: { name: true, ownerOrgNumber: true },
    });
    const owners = new Map(rows.map((r) => [r.name, r.ownerOrgNumber]));
    const problems: ValidationProblem[] = [];
    const bad: string[] = [];
    scopes.forEach((name, i) => {
      if (!owners.has(name)) {
        bad.push(name);
        problems.push({
          code: INVALID_VALUE,
          title: `Scope '${name}' does not exist`,
          paths: [`${path}[${i}]`],
        });
      } else if (owners.get(name) !== ownerOrgNumber) {
        bad.push(name);
        problems.push({
          code: INVALID_VALUE,
          title: `Scope '${name}' belongs to another owner than the resource's service owner`,
          paths: [`${path}[${i}]`],
        });
      }
    });
    if (problems.length) throw AccessRequestErrors.badScopes(problems, bad);
  }

  private isParty(row: AccessRequest, principal: Principal): boolean {
    return row.consumerOrgNumber === principal.consumer || row.ownerOrgNumber === principal.consumer;
  }

  /** The parties, and the platform operator (reads everything, decides nothing). */
  private mayRead(row: AccessRequest, principal: Principal): boolean {
    return this.isParty(row, principal) || hasScopes(principal, Scopes.admin);
  }

  private async storedList(tx: PrismaTx, listId: string | null): Promise<StoredList | null> {
    if (!listId) return null;
    return tx.accessList.findUnique({ where: { id: listId }, select: { owner: true, identifier: true } });
  }

  /** DTOs for rows read outside a transaction (lists and resources looked up once each). */
  private async toDtos(rows: AccessRequest[]): Promise<AccessRequestDto[]> {
    const listIds = [...new Set(rows.flatMap((r) => (r.accessListId ? [r.accessListId] : [])))];
    const lists = listIds.length
      ? await this.prisma.accessList.findMany({
          where: { id: { in: listIds } },
          select: { id: true, identifier: true },
        })
      : [];
    const listNames = new Map(lists.map((l) => [l.id, l.identifier]));
    const resources = new Map<string, ConsentResourceView | null>();
    for (const identifier of new Set(rows.map((r) => r.resourceIdentifier)))
      resources.set(identifier, await this.resources.getConsentResource(identifier));
    return rows.map((r) =>
      toAccessRequestDto(
        r,
        r.accessListId ? (listNames.get(r.accessListId) ?? null) : null,
        toContactPoints(resources.get(r.resourceIdentifier) ?? null),
      ),
    );
  }

  private nextLink({ status, role, resource }: ListAccessRequestsQueryDto, token: string): string {
    const base = `${this.config.publicUrl}${ACCESS_REQUESTS_PATH}`;
    return pageLink(base, { status, role, resource, continuationToken: token });
  }
}

/** What an audit row keeps (the contact points are the resource's, not the request's). */
function auditView(dto: AccessRequestDto): Omit<AccessRequestDto, 'contactPoints'> {
  const { contactPoints: _ignored, ...rest } = dto;
  return rest;
}

interface StoredList {
  owner: string;
  identifier: string;
}

/** Whether an approval naming `ref` (identifier or URN) names the list it was approved with. */
function sameList(ref: string, stored: StoredList | null): boolean {
  if (!stored) return false;
  const urn = LIST_URN.exec(ref);
  return urn ? urn[1] === stored.owner && urn[2] === stored.identifier : ref === stored.identifier;
}
