import { Injectable } from '@nestjs/common';
import { actorOf, AuditService } from '../audit/audit.service.js';
import type { Principal } from '../common/auth/principal.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ContinuationTokens, type PageTokens } from '../common/paging/continuation-tokens.js';
import { keyPosition } from '../common/paging/page-positions.js';
import { cutPage } from '../common/paging/pages.js';
import type { Owner, OrgRole } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { LocalizedName, OrgRoleView, OwnerView } from './owner.view.js';

const PAGE_SIZE = 100;

export interface Page<T> {
  items: T[];
  /** Continuation token of the next page, or null on the last page. */
  next: string | null;
}

function toOwnerView(row: Owner): OwnerView {
  const name = row.name as unknown as LocalizedName;
  return {
    orgcode: row.orgcode,
    orgNumber: row.orgNumber,
    name: { nb: name.nb, nn: name.nn, en: name.en },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toRoleView(row: OrgRole): OrgRoleView {
  return {
    orgNumber: row.orgNumber,
    personId: row.personId,
    roles: [...row.roles],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function sameName(a: LocalizedName, b: LocalizedName): boolean {
  return a.nb === b.nb && a.nn === b.nn && a.en === b.en;
}

/**
 * Service owners and organisation roles (DESIGN §4.1). Writes are admin-only (the controller
 * enforces the scope); every change and its audit row commit in one transaction.
 */
@Injectable()
export class OwnersService {
  /** Owners page by org code, an organisation's roles by person number (bound to the organisation). */
  private readonly ownerPages: PageTokens<string>;
  private readonly rolePages: PageTokens<string>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    tokens: ContinuationTokens,
  ) {
    this.ownerPages = tokens.forPages('owners', keyPosition);
    this.rolePages = tokens.forPages('owners/roles', keyPosition);
  }

  // ───────────── owners: used by other contexts ─────────────

  async findByOrgcode(orgcode: string): Promise<OwnerView | null> {
    const row = await this.prisma.owner.findUnique({ where: { orgcode } });
    return row ? toOwnerView(row) : null;
  }

  async findByOrgNumber(orgNumber: string): Promise<OwnerView | null> {
    const row = await this.prisma.owner.findUnique({ where: { orgNumber } });
    return row ? toOwnerView(row) : null;
  }

  // ───────────── owners: admin API ─────────────

  async list(continuationToken?: string): Promise<Page<OwnerView>> {
    const after = continuationToken === undefined ? undefined : this.ownerPages.decode(continuationToken, '');
    const rows = await this.prisma.owner.findMany({
      where: after === undefined ? {} : { orgcode: { gt: after } },
      orderBy: { orgcode: 'asc' },
      take: PAGE_SIZE + 1,
    });
    const { items, lastIfMore } = cutPage(rows, PAGE_SIZE);
    return {
      items: items.map(toOwnerView),
      next: lastIfMore && this.ownerPages.encode('', lastIfMore.orgcode),
    };
  }

  async get(orgcode: string): Promise<OwnerView> {
    const owner = await this.findByOrgcode(orgcode);
    if (!owner) throw DomainError.notFound('OWN-00001', `No service owner with org code '${orgcode}'.`);
    return owner;
  }

  /**
   * Creates or replaces an owner. The org number is unique across owners (409), and cannot move
   * once the owner has resources: resources keep the owner's org number for fast owner checks,
   * and a silent change would hand them to another organisation.
   */
  async put(
    orgcode: string,
    input: { orgNumber: string; name: LocalizedName },
    principal: Principal,
  ): Promise<{ owner: OwnerView; created: boolean }> {
    const name: LocalizedName = { nb: input.name.nb, nn: input.name.nn, en: input.name.en };
    return this.prisma.$transaction(async (tx) => {
      const existing = await tx.owner.findUnique({ where: { orgcode } });
      const holder = await tx.owner.findUnique({ where: { orgNumber: input.orgNumber } });
      if (holder && holder.orgcode !== orgcode)
        throw DomainError.conflict(
          'OWN-00002',
          `Organisation number ${input.orgNumber} is already registered as service owner '${holder.orgcode}'.`,
        );

      if (!existing) {
        const row = await tx.owner.create({
          data: { orgcode, orgNumber: input.orgNumber, name: { ...name } },
        });
        const owner = toOwnerView(row);
        await this.audit.record(tx, {
          ...ownerAudit(principal, orgcode, owner),
          action: 'owner.create',
          after: owner,
        });
        return { owner, created: true };
      }

      const before = toOwnerView(existing);
      if (before.orgNumber === input.orgNumber && sameName(before.name, name))
        return { owner: before, created: false };

      if (before.orgNumber !== input.orgNumber) {
        const resources = await tx.resource.count({ where: { ownerOrgcode: orgcode } });
        if (resources > 0)
          throw DomainError.conflict(
            'OWN-00003',
            `Service owner '${orgcode}' has ${resources} resource(s); its organisation number cannot change.`,
          );
      }
      const row = await tx.owner.update({
        where: { orgcode },
        data: { orgNumber: input.orgNumber, name: { ...name }, updatedAt: new Date() },
      });
      const owner = toOwnerView(row);
      await this.audit.record(tx, {
        ...ownerAudit(principal, orgcode, owner),
        action: 'owner.update',
        before,
        after: owner,
      });
      return { owner, created: false };
    });
  }

  // ───────────── org roles: used by the portal ─────────────

  /** Every organisation the person holds a role for, with the roles. */
  async rolesOf(personId: string): Promise<{ orgNumber: string; roles: string[] }[]> {
    const rows = await this.prisma.orgRole.findMany({ where: { personId }, orderBy: { orgNumber: 'asc' } });
    return rows
      .filter((r) => r.roles.length > 0)
      .map((r) => ({ orgNumber: r.orgNumber, roles: [...r.roles] }));
  }

  /**
   * True when the person holds at least one of `roles` for the organisation, or for its main
   * unit when the organisation is a registered sub-unit: as in Altinn, the main unit's roles
   * apply to its sub-units (a sub-unit may be the `from` of a consent).
   */
  async hasAnyRole(personId: string, orgNumber: string, roles: string[]): Promise<boolean> {
    if (roles.length === 0) return false;
    const sub = await this.prisma.organization.findUnique({
      where: { orgNumber },
      select: { parentOrgNumber: true },
    });
    const orgs = sub?.parentOrgNumber ? [orgNumber, sub.parentOrgNumber] : [orgNumber];
    const rows = await this.prisma.orgRole.findMany({ where: { personId, orgNumber: { in: orgs } } });
    return rows.some((row) => row.roles.some((r) => roles.includes(r)));
  }

  /** The organisations the person holds at least one of `roles` for (directly), by org number. */
  async orgsWithAnyRole(personId: string, roles: readonly string[]): Promise<string[]> {
    if (roles.length === 0) return [];
    const rows = await this.prisma.orgRole.findMany({
      where: { personId, roles: { hasSome: [...roles] } },
      orderBy: { orgNumber: 'asc' },
      select: { orgNumber: true },
    });
    return rows.map((r) => r.orgNumber);
  }

  // ───────────── org roles: admin API ─────────────

  async listRoles(orgNumber: string, continuationToken?: string): Promise<Page<OrgRoleView>> {
    const after =
      continuationToken === undefined ? undefined : this.rolePages.decode(continuationToken, orgNumber);
    const rows = await this.prisma.orgRole.findMany({
      where: { orgNumber, ...(after === undefined ? {} : { personId: { gt: after } }) },
      orderBy: { personId: 'asc' },
      take: PAGE_SIZE + 1,
    });
    const { items, lastIfMore } = cutPage(rows, PAGE_SIZE);
    return {
      items: items.map(toRoleView),
      next: lastIfMore && this.rolePages.encode(orgNumber, lastIfMore.personId),
    };
  }

  /** Replaces the person's roles for the organisation (duplicates dropped, order kept). */
  async putRoles(
    orgNumber: string,
    personId: string,
    roles: string[],
    principal: Principal,
  ): Promise<{ role: OrgRoleView; created: boolean }> {
    const unique = [...new Set(roles)];
    return this.prisma.$transaction(async (tx) => {
      const key = { orgNumber_personId: { orgNumber, personId } };
      const existing = await tx.orgRole.findUnique({ where: key });
      if (
        existing &&
        existing.roles.length === unique.length &&
        existing.roles.every((r, i) => r === unique[i])
      )
        return { role: toRoleView(existing), created: false };
      const row = existing
        ? await tx.orgRole.update({ where: key, data: { roles: unique, updatedAt: new Date() } })
        : await tx.orgRole.create({ data: { orgNumber, personId, roles: unique } });
      const role = toRoleView(row);
      await this.audit.record(tx, {
        actor: actorOf(principal),
        action: existing ? 'org-role.update' : 'org-role.create',
        objectType: 'org-role',
        objectId: `${orgNumber}/${personId}`,
        ownerOrg: orgNumber,
        before: existing ? toRoleView(existing) : undefined,
        after: role,
      });
      return { role, created: !existing };
    });
  }

  async deleteRoles(orgNumber: string, personId: string, principal: Principal): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const key = { orgNumber_personId: { orgNumber, personId } };
      const existing = await tx.orgRole.findUnique({ where: key });
      if (!existing)
        throw DomainError.notFound(
          'OWN-00004',
          `Person has no roles recorded for organisation ${orgNumber}.`,
        );
      await tx.orgRole.delete({ where: key });
      await this.audit.record(tx, {
        actor: actorOf(principal),
        action: 'org-role.delete',
        objectType: 'org-role',
        objectId: `${orgNumber}/${personId}`,
        ownerOrg: orgNumber,
        before: toRoleView(existing),
      });
    });
  }
}

/** Who changed which service owner, for its audit row. */
function ownerAudit(principal: Principal, orgcode: string, owner: { orgNumber: string }) {
  return { actor: actorOf(principal), objectType: 'owner', objectId: orgcode, ownerOrg: owner.orgNumber };
}
