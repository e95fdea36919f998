import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { actorOf } from '../audit/audit.service.js';
import { ChangeLogService } from '../audit/change-log.service.js';
import { hasScopes, type Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { ContinuationTokens, type PageTokens } from '../common/paging/continuation-tokens.js';
import { timeAndIdPosition, type TimeAndId } from '../common/paging/page-positions.js';
import { cutPage, pageLink } from '../common/paging/pages.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { AccessRequest, Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { ConsentResourceView } from '../resources/consent-resource.view.js';
import { ResourcesService } from '../resources/resources.service.js';
import { accessRequestEvent, type AccessRequestEvent } from './access-request-event.record.js';
import { assertOwnersScopes } from './access-request-scopes.check.js';
import { AccessRequestErrors } from './access-request.errors.js';
import {
  isParty,
  openKeyOf,
  toAccessRequestDto,
  toAuditView,
  toContactPoints,
} from './access-request.mapper.js';
import type {
  AccessRequestDto,
  AccessRequestPageDto,
  CreateAccessRequestDto,
  ListAccessRequestsQueryDto,
} from './dto/access-request.dto.js';

export const ACCESS_REQUESTS_PATH = '/api/v1/access-requests';
export const ACCESS_REQUEST_PAGE_SIZE = 100;

/**
 * Access requests (DESIGN §4.4, beyond Altinn): a consumer asks the owner of a consent resource
 * for the owner's scopes and a place on one of its access lists; the owner approves (grants and
 * adds in one transaction) or rejects; the consumer may withdraw while it is pending.
 *
 * Who may do what is decided here, not by token scopes (any valid token reaches the routes):
 * the consumer is the token's `consumer` org when the request is made; the owner is the
 * resource's owner at that time. Anyone else gets 404 (nothing to reveal).
 *
 * Making, reading and listing requests are here; the decisions (approve, reject, withdraw) in
 * AccessRequestDecisionsService. One open request per consumer and resource is the unique `open_key` (NULL once decided).
 */
@Injectable()
export class AccessRequestsService {
  /** Newest first: pages continue before `(createdAt, id)`, bound to the caller's org and role. */
  private readonly pages: PageTokens<TimeAndId>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly resources: ResourcesService,
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
    await assertOwnersScopes(this.prisma, scopes, resource.ownerOrgNumber);

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
          after: toAuditView(dto),
        },
        payload: accessRequestEvent('access-request.created', dto),
      });
      return dto;
    });
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

  /** The parties, and the platform operator (reads everything, decides nothing). */
  private mayRead(row: AccessRequest, principal: Principal): boolean {
    return isParty(row, principal) || hasScopes(principal, Scopes.admin);
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
