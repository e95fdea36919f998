import { Injectable } from '@nestjs/common';
import type { AuditActor } from '../audit/audit.service.js';
import type { Principal } from '../common/auth/principal.js';
import { isValidOrgNumber } from '../common/identifiers/org-number.js';
import type { PrismaTx } from '../prisma/prisma.service.js';
import { AccessListPartsService, type PartPaging } from './access-list-parts.service.js';
import type { OwnerRef } from './access-list-owner.gate.js';
import { toMemberDto } from './access-list.mapper.js';
import { LARGE_PAGE_SIZE, stateOf, type Conditional, type Page } from './access-list.types.js';
import { parseMemberUrns } from './access-list.validation.js';
import type { AccessListRow, MemberRow } from './access-lists.repository.js';
import type { AccessListMemberDto } from './dto/members.dto.js';
import type { RequestConditions } from './preconditions.js';

export type MembersOperation = 'replace' | 'add' | 'remove';

/** Removed org numbers listed in one audit row at most (the count is always recorded). */
const AUDIT_REMOVED_CAP = 1000;

interface Applied {
  added: string[];
  removed: string[];
  removedCount: number;
}

/** Members of a list: paged reads pinned to the list version, and ≤100-per-call writes. */
@Injectable()
export class AccessListMembersService extends AccessListPartsService<MemberRow, AccessListMemberDto> {
  protected readonly paging: PartPaging<MemberRow> = {
    part: 'members',
    segment: 'members',
    keyOf: (m) => m.orgNumber,
  };

  protected fetchPage(tx: PrismaTx, listId: string, after: string | undefined, take: number) {
    return this.repo.membersPage(tx, listId, after, take);
  }

  protected toDto(row: MemberRow): AccessListMemberDto {
    return toMemberDto(row);
  }

  /**
   * PUT (replace all), POST (add, idempotent), DELETE (remove, idempotent). Every entry is
   * validated before anything is stored; the answer is the first page of the resulting members.
   * A call that changes nothing keeps the version (and ETag), as Altinn.
   */
  async write(
    principal: Principal,
    orgcode: string,
    identifier: string,
    op: MembersOperation,
    data: unknown[],
    conditions: RequestConditions,
  ): Promise<Conditional<Page<AccessListMemberDto>>> {
    const owner = await this.gate.authorizeWrite(principal, orgcode, identifier);
    const orgNumbers = parseMemberUrns(data, op);

    const result = await this.prisma.$transaction(async (tx) => {
      const row = await this.lockList(tx, owner, orgcode, identifier, conditions);
      return this.applyLocked(tx, owner, row, op, orgNumbers, { principal });
    });
    if (result.changed) this.changes.committed(result.state.id);

    // The answer is read after the commit, outside the list lock (writers of a big list queue on
    // that lock), in one statement so the page and its version agree: if another writer got in
    // meanwhile, the client sees that newer version and its ETag.
    const after = await this.repo.firstMembersPageWithVersion(result.state.id, LARGE_PAGE_SIZE + 1);
    const list = after ? { ...result.state, ...after.state } : result.state;
    return { kind: 'ok', value: this.toPartPage(orgcode, list, after?.rows ?? []), state: stateOf(list) };
  }

  /**
   * For other contexts (access-requests approval): adds organisations to one of the owner's lists
   * inside the caller's transaction, with the audit row and NOTIFY. `list` is the identifier or
   * the list URN (a URN of another owner → 403). The caller calls `committed(listId)` after its
   * commit so this process's caches drop the old answer at once.
   */
  async addMembersInTransaction(
    tx: PrismaTx,
    ownerOrgNumber: string,
    list: string,
    orgNumbers: string[],
    actor: AuditActor,
  ): Promise<{ listId: string; version: number; changed: boolean }> {
    const { owner, identifier } = await this.gate.resolveInTransaction(tx, ownerOrgNumber, list);
    for (const n of orgNumbers)
      if (!isValidOrgNumber(n)) throw new TypeError('addMembersInTransaction: invalid organisation number');
    const row = await this.lockList(tx, owner, owner.orgcode, identifier, {});
    const { state, changed } = await this.applyLocked(tx, owner, row, 'add', [...new Set(orgNumbers)], {
      actor,
    });
    return { listId: row.id, version: state.version, changed };
  }

  /** Applies the change to a locked list; bumps the version and audits only when something changed. */
  private async applyLocked(
    tx: PrismaTx,
    owner: OwnerRef,
    row: AccessListRow,
    op: MembersOperation,
    orgNumbers: string[],
    by: { principal: Principal } | { actor: AuditActor },
  ): Promise<{ state: AccessListRow; changed: boolean }> {
    const applied = await this.apply(tx, row.id, op, orgNumbers);
    if (applied.added.length === 0 && applied.removedCount === 0) return { state: row, changed: false };

    const state = await this.bump(tx, row);
    await this.changes.record(tx, {
      principal: 'principal' in by ? by.principal : { actor: by.actor },
      owner,
      identifier: row.identifier,
      listId: row.id,
      action: `access-list.members.${op}`,
      before: { version: row.version },
      after: {
        version: state.version,
        added: applied.added,
        removed: applied.removed.slice(0, AUDIT_REMOVED_CAP),
        removedCount: applied.removedCount,
      },
    });
    return { state, changed: true };
  }

  private async apply(
    tx: PrismaTx,
    listId: string,
    op: MembersOperation,
    orgNumbers: string[],
  ): Promise<Applied> {
    // The list row is locked by the caller, so nobody else changes these members meanwhile.
    if (op === 'add')
      return { added: await this.repo.insertMembers(tx, listId, orgNumbers), removed: [], removedCount: 0 };
    if (op === 'remove') {
      const removed = await this.repo.deleteMembers(tx, listId, orgNumbers);
      return { added: [], removed, removedCount: removed.length };
    }
    // Replace: report at most AUDIT_REMOVED_CAP of the removed numbers, count all of them.
    const stale = { listId, ...(orgNumbers.length ? { orgNumber: { notIn: orgNumbers } } : {}) };
    const removed = (
      await tx.accessListMember.findMany({
        where: stale,
        select: { orgNumber: true },
        orderBy: { orgNumber: 'asc' },
        take: AUDIT_REMOVED_CAP,
      })
    ).map((m) => m.orgNumber);
    const removedCount = removed.length ? (await tx.accessListMember.deleteMany({ where: stale })).count : 0;
    const added = await this.repo.insertMembers(tx, listId, orgNumbers);
    return { added, removed, removedCount };
  }
}
