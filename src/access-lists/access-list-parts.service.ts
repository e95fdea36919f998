import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service.js';
import { ContinuationTokens } from '../common/paging/continuation-tokens.js';
import { AccessListChanges } from './access-list-changes.js';
import { AccessListOwnerGate, type OwnerRef } from './access-list-owner.gate.js';
import { PartPageTokens, type ListPart } from './access-list-paging.js';
import { AccessListErrors } from './access-list.errors.js';
import {
  LARGE_PAGE_SIZE,
  nextLink,
  stateOf,
  toPage,
  type Conditional,
  type Page,
} from './access-list.types.js';
import { assertListIdentifier } from './access-list.validation.js';
import { AccessListsRepository, type AccessListRow } from './access-lists.repository.js';
import { evaluateConditions, type RequestConditions } from './preconditions.js';

/** How a part is paged: its token kind, its path segment, and the key a page ends on. */
export interface PartPaging<R> {
  part: ListPart;
  segment: string;
  keyOf: (row: R) => string;
}

/**
 * What the members and the resource connections of a list have in common (DESIGN §4.3): both are
 * read 100 at a time in one snapshot, the next token pinned to the list version the page was read
 * at, and both are written under the list's row lock, each change bumping the list version.
 */
@Injectable()
export abstract class AccessListPartsService<R, T> {
  constructor(
    protected readonly prisma: PrismaService,
    protected readonly repo: AccessListsRepository,
    protected readonly gate: AccessListOwnerGate,
    protected readonly changes: AccessListChanges,
    protected readonly tokens: ContinuationTokens,
    @Inject(APP_CONFIG) protected readonly config: AppConfig,
  ) {}

  protected abstract readonly paging: PartPaging<R>;
  private partTokens?: PartPageTokens;

  /** Up to `take` rows of the list after `after`, in key order. */
  protected abstract fetchPage(
    tx: PrismaTx,
    listId: string,
    after: string | undefined,
    take: number,
  ): Promise<R[]>;

  protected abstract toDto(row: R): T;

  async page(
    principal: Principal,
    orgcode: string,
    identifier: string,
    conditions: RequestConditions,
    token?: string,
  ): Promise<Conditional<Page<T>>> {
    const owner = await this.gate.authorize(principal, orgcode, 'read');
    assertListIdentifier(identifier);
    if (!owner) throw AccessListErrors.notFound(orgcode, identifier);

    // One snapshot: the version in the next token is the version the page was read at.
    const { row, rows } = await this.prisma.$transaction(
      async (tx) => {
        const row = await this.repo.findByOwnerAndIdentifier(owner.orgcode, identifier, tx);
        if (!row) throw AccessListErrors.notFound(orgcode, identifier);
        let after: string | undefined;
        if (token !== undefined) {
          after = this.pageTokens.decode(token, row.id, row.version);
        }
        const outcome = evaluateConditions(conditions, stateOf(row), true);
        if (outcome === 'failed') throw AccessListErrors.preconditionFailed();
        if (outcome === 'not-modified') return { row, rows: null };
        return { row, rows: await this.fetchPage(tx, row.id, after, LARGE_PAGE_SIZE + 1) };
      },
      { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
    );
    if (!rows) return { kind: 'not-modified', state: stateOf(row) };
    return { kind: 'ok', value: this.toPartPage(orgcode, row, rows), state: stateOf(row) };
  }

  /** After the caller's commit (see the `…InTransaction` methods). */
  committed(listId: string): void {
    this.changes.committed(listId);
  }

  /** A page from up to LARGE_PAGE_SIZE + 1 rows, its next link pinned to `list`'s version. */
  protected toPartPage(orgcode: string, list: AccessListRow, rows: R[]): Page<T> {
    const { segment, keyOf } = this.paging;
    return toPage(
      rows,
      LARGE_PAGE_SIZE,
      (r) => this.toDto(r),
      (last) =>
        nextLink(this.config.publicUrl, [orgcode, list.identifier, segment], {
          token: this.pageTokens.encode(list.id, { version: list.version, after: keyOf(last) }),
        }),
    );
  }

  /** Locks the list row for a change; 404 without it, 412 unless the condition headers hold. */
  protected async lockList(
    tx: PrismaTx,
    owner: OwnerRef,
    orgcode: string,
    identifier: string,
    conditions: RequestConditions,
  ): Promise<AccessListRow> {
    const row = await this.repo.lockByOwnerAndIdentifier(tx, owner.orgcode, identifier);
    if (!row) throw AccessListErrors.notFound(orgcode, identifier);
    if (evaluateConditions(conditions, stateOf(row), false) !== 'proceed')
      throw AccessListErrors.preconditionFailed();
    return row;
  }

  /** The locked list with its next version (412 if the version moved meanwhile). */
  protected async bump(tx: PrismaTx, row: AccessListRow): Promise<AccessListRow> {
    const bumped = await this.repo.bumpVersion(tx, row.id, row.version);
    if (!bumped) throw AccessListErrors.preconditionFailed();
    return { ...row, ...bumped };
  }

  /** Made on first use: `paging` is a field of the subclass, unset while this constructor runs. */
  private get pageTokens(): PartPageTokens {
    this.partTokens ??= new PartPageTokens(this.tokens, this.paging.part);
    return this.partTokens;
  }
}
