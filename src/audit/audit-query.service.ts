import { Injectable } from '@nestjs/common';
import { hasScopes, type Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { DomainError } from '../common/errors/domain-error.js';
import { INVALID_VALUE } from '../common/errors/validation-errors.js';
import { ContinuationTokens, type PageTokens } from '../common/paging/continuation-tokens.js';
import { serialPosition } from '../common/paging/page-positions.js';
import { cutPage } from '../common/paging/pages.js';
import type { AuditEntry, Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { AuditEntryDto, AuditQueryDto } from './dto/audit.dto.js';

export const AUDIT_PAGE_SIZE = 100;

function toDto(row: AuditEntry): AuditEntryDto {
  return {
    id: row.id.toString(),
    time: row.time.toISOString(),
    actor: { org: row.actorOrg, client: row.actorClient, person: row.actorPerson },
    action: row.action,
    objectType: row.objectType,
    objectId: row.objectId,
    ownerOrg: row.ownerOrg,
    before: row.before ?? null,
    after: row.after ?? null,
  };
}

/**
 * Reads the audit trail (DESIGN §4.12). The platform operator sees everything; anyone else
 * sees the entries about objects its own organisation owns (`ownerOrg` = caller's `consumer`).
 * Oldest first, keyed by id, so a reader can follow the trail page by page without gaps.
 */
@Injectable()
export class AuditQueryService {
  /** Pages continue after the last entry id, bound to the reading organisation. */
  private readonly pages: PageTokens<bigint>;

  constructor(
    private readonly prisma: PrismaService,
    tokens: ContinuationTokens,
  ) {
    this.pages = tokens.forPages('audit', serialPosition);
  }

  async list(
    query: AuditQueryDto,
    principal: Principal,
  ): Promise<{ items: AuditEntryDto[]; next: string | null }> {
    const from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
    if (from && to && from.getTime() >= to.getTime())
      throw DomainError.validation([
        { code: INVALID_VALUE, title: 'from must be before to', paths: ['$.from', '$.to'] },
      ]);
    const after =
      query.continuationToken !== undefined
        ? this.pages.decode(query.continuationToken, principal.consumer)
        : undefined;

    const where: Prisma.AuditEntryWhereInput = {
      ...(hasScopes(principal, Scopes.admin) ? {} : { ownerOrg: principal.consumer }),
      ...(query.objectType !== undefined ? { objectType: query.objectType } : {}),
      ...(query.objectId !== undefined ? { objectId: query.objectId } : {}),
      ...(query.action !== undefined ? { action: query.action } : {}),
      ...(from || to ? { time: { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } } : {}),
      ...(after !== undefined ? { id: { gt: after } } : {}),
    };
    const rows = await this.prisma.auditEntry.findMany({
      where,
      orderBy: { id: 'asc' },
      take: AUDIT_PAGE_SIZE + 1,
    });
    const { items, lastIfMore } = cutPage(rows, AUDIT_PAGE_SIZE);
    return {
      items: items.map(toDto),
      next: lastIfMore && this.pages.encode(principal.consumer, lastIfMore.id),
    };
  }
}
