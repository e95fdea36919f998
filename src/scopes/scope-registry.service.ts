import { Injectable } from '@nestjs/common';
import { actorOf } from '../audit/audit.service.js';
import { ChangeLogService } from '../audit/change-log.service.js';
import { hasScopes, type Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { Scope } from '../generated/prisma/client.js';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service.js';
import type { CreateScopeDto, UpdateScopeDto } from './dto/scope.dto.js';
import { isPlatformPrefix } from './scope-names.js';
import { ScopeErrors } from './scope-errors.js';
import { lockScope } from './scopes.repository.js';
import { toScopeResponse } from './scope.mapper.js';

const isUniqueViolation = (e: unknown): boolean =>
  (e as { name?: unknown; code?: unknown })?.name === 'PrismaClientKnownRequestError' &&
  (e as { code?: unknown }).code === 'P2002';

/**
 * The owner side of the scope registry: create, read, update (Maskinporten self-service shapes).
 *
 * Visibility: an org sees the scopes it owns; `consentgw:admin` sees all (read-only, DESIGN §3).
 * A scope of another owner is answered 404 (existence not leaked) — there is no owner in these
 * paths, so DESIGN §3's "path owner ≠ caller → 403" never applies. The one deliberate 403 is a
 * prefix claimed by someone else: the caller must learn that the prefix is not theirs to use.
 */
@Injectable()
export class ScopeRegistryService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly changes: ChangeLogService,
  ) {}

  async list(principal: Principal): Promise<Scope[]> {
    const all = hasScopes(principal, Scopes.admin);
    return this.prisma.scope.findMany({
      where: all ? {} : { ownerOrgNumber: principal.consumer },
      orderBy: { name: 'asc' },
    });
  }

  /** The scope if the caller may see it (owner, or admin for any scope), else 404. */
  async getVisible(principal: Principal, name: string): Promise<Scope> {
    const row = await this.prisma.scope.findUnique({ where: { name } });
    if (!row || !this.canSee(principal, row)) throw notFound(name);
    return row;
  }

  canSee(principal: Principal, row: Scope): boolean {
    return row.ownerOrgNumber === principal.consumer || hasScopes(principal, Scopes.admin);
  }

  async create(principal: Principal, dto: CreateScopeDto): Promise<Scope> {
    const owner = principal.consumer;
    const name = `${dto.prefix}:${dto.subscope}`;
    if (isPlatformPrefix(dto.prefix)) throw platformPrefix(dto.prefix);
    let created: Scope;
    try {
      created = await this.changes.transaction(async (tx, record) => {
        await this.claimPrefix(tx, dto.prefix, owner);
        if (await tx.scope.findUnique({ where: { name }, select: { name: true } })) throw exists(name);
        const row = await tx.scope.create({
          data: {
            name,
            prefix: dto.prefix,
            subscope: dto.subscope,
            ownerOrgNumber: owner,
            description: dto.description,
            allowedIntegrationTypes: dto.allowed_integration_types ?? ['maskinporten'],
            tokenType: dto.token_type ?? 'SELF_CONTAINED',
            atMaxAge: dto.at_max_age ?? null,
            active: dto.active ?? true,
          },
        });
        await record({
          topic: 'scope',
          id: name,
          audit: {
            actor: actorOf(principal),
            action: 'scope.create',
            objectType: 'scope',
            objectId: name,
            ownerOrg: owner,
            after: toScopeResponse(row),
          },
        });
        return row;
      });
    } catch (e) {
      // Two concurrent creates of the same name: the loser gets the same 409 as a late one.
      if (isUniqueViolation(e)) throw exists(name);
      throw e;
    }
    return created;
  }

  async update(principal: Principal, name: string, dto: UpdateScopeDto): Promise<Scope> {
    const updated = await this.changes.transaction(async (tx, record) => {
      // Row lock so the audit's before/after describe exactly this change.
      await lockScope(tx, name);
      const before = await tx.scope.findUnique({ where: { name } });
      if (!before || !this.canSee(principal, before)) throw notFound(name);
      if (before.ownerOrgNumber === null)
        throw DomainError.forbidden(
          ScopeErrors.platformScopeReadOnly,
          `'${name}' is a platform scope; platform scopes are seeded at start and cannot be changed.`,
        );
      // An admin may read another owner's scope but never change it.
      if (before.ownerOrgNumber !== principal.consumer) throw notFound(name);
      const row = await tx.scope.update({
        where: { name },
        data: {
          ...(dto.description !== undefined ? { description: dto.description } : {}),
          ...(dto.allowed_integration_types !== undefined
            ? { allowedIntegrationTypes: dto.allowed_integration_types }
            : {}),
          ...(dto.at_max_age !== undefined ? { atMaxAge: dto.at_max_age } : {}),
          ...(dto.active !== undefined ? { active: dto.active } : {}),
          updatedAt: new Date(),
        },
      });
      await record({
        topic: 'scope',
        id: name,
        audit: {
          actor: actorOf(principal),
          action: 'scope.update',
          objectType: 'scope',
          objectId: name,
          ownerOrg: row.ownerOrgNumber,
          before: toScopeResponse(before),
          after: toScopeResponse(row),
        },
      });
      return row;
    });
    return updated;
  }

  /**
   * First org to use a prefix owns it. `INSERT … ON CONFLICT DO NOTHING` then a read: when two
   * orgs race for a new prefix, the second insert waits for the first to commit and then sees
   * its owner, so exactly one of them gets it.
   */
  private async claimPrefix(tx: PrismaTx, prefix: string, owner: string): Promise<void> {
    await tx.scopePrefix.createMany({ data: [{ prefix, ownerOrgNumber: owner }], skipDuplicates: true });
    const row = await tx.scopePrefix.findUnique({ where: { prefix } });
    if (!row || row.ownerOrgNumber === null) throw platformPrefix(prefix);
    if (row.ownerOrgNumber !== owner)
      throw DomainError.forbidden(
        ScopeErrors.prefixTaken,
        `The scope prefix '${prefix}' belongs to another organisation.`,
      );
  }
}

export function notFound(name: string): DomainError {
  return DomainError.notFound(ScopeErrors.notFound, `Scope '${name}' was not found.`);
}

function exists(name: string): DomainError {
  return DomainError.conflict(ScopeErrors.exists, `Scope '${name}' already exists.`);
}

function platformPrefix(prefix: string): DomainError {
  return DomainError.forbidden(
    ScopeErrors.platformPrefix,
    `The scope prefix '${prefix}' is reserved for the platform and cannot be used.`,
  );
}
