import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ContinuationTokens } from '../common/paging/continuation-tokens.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { AccessListChanges } from './access-list-changes.js';
import { AccessListCheckService } from './access-list-check.service.js';
import { AccessListOwnerGate } from './access-list-owner.gate.js';
import { AccessListErrors, AccessListValidationCodes, validationFailed } from './access-list.errors.js';
import { toAccessListDto } from './access-list.mapper.js';
import {
  LISTS_PAGE_SIZE,
  nextLink,
  stateOf,
  toPage,
  type Conditional,
  type Page,
} from './access-list.types.js';
import {
  assertListIdentifier,
  assertResourceIdentifier,
  parseIncludes,
  stringifyIncludes,
  type Includes,
} from './access-list.validation.js';
import { AccessListsRepository, type AccessListRow } from './access-lists.repository.js';
import { ListPageTokens } from './access-list-paging.js';
import type { AccessListInfoDto, UpsertAccessListDto } from './dto/access-list.dto.js';
import { evaluateConditions, type RequestConditions } from './preconditions.js';

export interface ListQuery {
  token?: string;
  include?: string | string[];
  resource?: string;
}

/**
 * Access lists themselves (`/access-lists/{owner}[/{identifier}]`), and the membership check
 * other contexts use (`isAllowed`, delegated to AccessListCheckService).
 */
@Injectable()
export class AccessListsService {
  private readonly pageTokens: ListPageTokens;

  constructor(
    private readonly prisma: PrismaService,
    private readonly repo: AccessListsRepository,
    private readonly gate: AccessListOwnerGate,
    private readonly changes: AccessListChanges,
    private readonly check: AccessListCheckService,
    tokens: ContinuationTokens,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.pageTokens = new ListPageTokens(tokens);
  }

  /**
   * True when `orgNumber` is a member of a list of the resource's owner that is connected to the
   * resource with an action filter that is empty or contains `action`. Indexed (cost does not
   * grow with list size) and cached; invalidated on every list change, in every replica.
   */
  isAllowed(orgNumber: string, resourceIdentifier: string, action: string): Promise<boolean> {
    return this.check.isAllowed(orgNumber, resourceIdentifier, action);
  }

  /** The cached answer without waiting, or undefined when it must be looked up (then call isAllowed). */
  isAllowedCached(orgNumber: string, resourceIdentifier: string, action: string): boolean | undefined {
    return this.check.isAllowedCached(orgNumber, resourceIdentifier, action);
  }

  async listByOwner(
    principal: Principal,
    orgcode: string,
    query: ListQuery,
  ): Promise<Page<AccessListInfoDto>> {
    const owner = await this.gate.authorize(principal, orgcode, 'read');
    const includes = this.includesOf(query, true);
    let after: string | undefined;
    if (query.token !== undefined) after = this.pageTokens.decode(query.token, orgcode);
    if (!owner) return { links: { next: null }, data: [] };

    const rows = await this.repo.pageByOwner(
      owner.orgcode,
      after,
      LISTS_PAGE_SIZE + 1,
      includes.connections ? { resource: query.resource } : undefined,
    );
    return toPage(
      rows,
      LISTS_PAGE_SIZE,
      (r) => toAccessListDto(r, includes.connections ? (r.connections ?? []) : undefined, includes.actions),
      (last) =>
        nextLink(this.config.publicUrl, [orgcode], {
          token: this.pageTokens.encode(orgcode, last.identifier),
          include: stringifyIncludes(includes),
          resource: includes.connections ? query.resource : undefined,
        }),
    );
  }

  async get(
    principal: Principal,
    orgcode: string,
    identifier: string,
    conditions: RequestConditions,
    query: Omit<ListQuery, 'token'>,
  ): Promise<Conditional<AccessListInfoDto>> {
    const owner = await this.gate.authorize(principal, orgcode, 'read');
    assertListIdentifier(identifier);
    const includes = this.includesOf(query, false);
    if (!owner) throw AccessListErrors.notFound(orgcode, identifier);

    // One snapshot for the list and its connections, so the body matches the ETag.
    return this.prisma.$transaction(
      async (tx): Promise<Conditional<AccessListInfoDto>> => {
        const row = await this.repo.findByOwnerAndIdentifier(owner.orgcode, identifier, tx);
        if (!row) throw AccessListErrors.notFound(orgcode, identifier);
        const outcome = evaluateConditions(conditions, stateOf(row), true);
        if (outcome === 'failed') throw AccessListErrors.preconditionFailed();
        if (outcome === 'not-modified') return { kind: 'not-modified', state: stateOf(row) };
        const connections = includes.connections
          ? await this.repo.connectionsOf(row.id, query.resource, tx)
          : undefined;
        return {
          kind: 'ok',
          value: toAccessListDto(row, connections, includes.actions),
          state: stateOf(row),
        };
      },
      { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
    );
  }

  /** Creates (created: true) or updates the list; the same name and description change nothing. */
  async upsert(
    principal: Principal,
    orgcode: string,
    identifier: string,
    body: UpsertAccessListDto,
    conditions: RequestConditions,
  ): Promise<Conditional<AccessListInfoDto>> {
    const owner = await this.gate.authorizeWrite(principal, orgcode, identifier);
    const name = body.name;
    const description = body.description ?? '';

    const result = await this.prisma.$transaction(async (tx) => {
      // If-Match needs an existing list: never create then.
      if (conditions.ifMatch === undefined) {
        const created = await this.repo.insertIfAbsent(tx, owner.orgcode, identifier, name, description);
        if (created) {
          await this.changes.record(tx, {
            principal,
            owner,
            identifier,
            listId: created.id,
            action: 'access-list.create',
            after: toAccessListDto(created),
          });
          return { row: created, created: true, changed: true };
        }
      }
      const row = await this.repo.lockByOwnerAndIdentifier(tx, owner.orgcode, identifier);
      if (evaluateConditions(conditions, row && stateOf(row), false) !== 'proceed')
        throw AccessListErrors.preconditionFailed();
      // Conflicted with a creator, then deleted by someone else before we could lock it.
      if (!row) throw DomainError.conflict('AL-00007', 'The access list was deleted concurrently; retry.');
      if (row.name === name && row.description === description)
        return { row, created: false, changed: false };

      const bumped = await this.repo.bumpVersion(tx, row.id, row.version, { name, description });
      if (!bumped) throw AccessListErrors.preconditionFailed();
      const updated: AccessListRow = { ...row, name, description, ...bumped };
      await this.changes.record(tx, {
        principal,
        owner,
        identifier,
        listId: row.id,
        action: 'access-list.update',
        before: toAccessListDto(row),
        after: toAccessListDto(updated),
      });
      return { row: updated, created: false, changed: true };
    });
    if (result.changed) this.changes.committed(result.row.id);
    return {
      kind: 'ok',
      value: toAccessListDto(result.row),
      state: stateOf(result.row),
      created: result.created,
    };
  }

  /** The deleted list, or null when there was none (Altinn answers 204 then). */
  async delete(
    principal: Principal,
    orgcode: string,
    identifier: string,
    conditions: RequestConditions,
  ): Promise<AccessListInfoDto | null> {
    const owner = await this.gate.authorizeWrite(principal, orgcode, identifier);

    const deleted = await this.prisma.$transaction(async (tx) => {
      const row = await this.repo.lockByOwnerAndIdentifier(tx, owner.orgcode, identifier);
      if (!row) return null;
      if (evaluateConditions(conditions, stateOf(row), false) !== 'proceed')
        throw AccessListErrors.preconditionFailed();
      const memberCount = await tx.accessListMember.count({ where: { listId: row.id } });
      const connections = await this.repo.connectionsOf(row.id, undefined, tx);
      // Members and connections go with it (ON DELETE CASCADE).
      await tx.accessList.delete({ where: { id: row.id } });
      await this.changes.record(tx, {
        principal,
        owner,
        identifier,
        listId: row.id,
        action: 'access-list.delete',
        before: { ...toAccessListDto(row, connections), version: row.version, memberCount },
      });
      return row;
    });
    if (!deleted) return null;
    this.changes.committed(deleted.id);
    return toAccessListDto(deleted);
  }

  private includesOf(query: Omit<ListQuery, 'token'>, resourceRequired: boolean): Includes {
    const includes = parseIncludes(query.include);
    if (query.resource !== undefined) assertResourceIdentifier(query.resource, 'resource');
    if (resourceRequired && includes.connections && query.resource === undefined)
      throw validationFailed([
        {
          code: AccessListValidationCodes.includeNeedsResource,
          title: 'Resource identifier is required when including resource connections.',
          paths: ['resource'],
        },
      ]);
    return includes;
  }
}
