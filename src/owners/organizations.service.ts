import { Injectable } from '@nestjs/common';
import type { AuditActor } from '../audit/audit.service.js';
import { AuditService } from '../audit/audit.service.js';
import { DomainError } from '../common/errors/domain-error.js';
import { INVALID_VALUE } from '../common/errors/validation-errors.js';
import { ContinuationTokens, type PageTokens } from '../common/paging/continuation-tokens.js';
import { keyPosition } from '../common/paging/page-positions.js';
import { cutPage } from '../common/paging/pages.js';
import type { Organization } from '../generated/prisma/client.js';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service.js';
import type { OrganizationInput, OrganizationName, OrganizationView } from './organization.view.js';

const PAGE_SIZE = 100;
/** Main units above main units (Skatteetaten → Finansdepartementet) are rare and shallow. */
const MAX_PARENT_DEPTH = 20;
const IMPORT_CHUNK = 1000;
/** A 20 000-row import is one transaction; it needs longer than the usual 20 s on a slow disk. */
const IMPORT_TX = { maxWait: 10_000, timeout: 120_000 } as const;

export interface ImportSummary {
  created: number;
  updated: number;
  unchanged: number;
}

function toView(row: Organization): OrganizationView {
  const name = row.name as unknown as OrganizationName;
  return {
    orgNumber: row.orgNumber,
    name: { nb: name.nb, ...(name.nn ? { nn: name.nn } : {}), ...(name.en ? { en: name.en } : {}) },
    organizationForm: row.organizationForm,
    parentOrgNumber: row.parentOrgNumber,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function cleanName(n: OrganizationName): OrganizationName {
  return { nb: n.nb, ...(n.nn ? { nn: n.nn } : {}), ...(n.en ? { en: n.en } : {}) };
}

function sameContent(row: Organization, input: OrganizationInput): boolean {
  const a = row.name as unknown as OrganizationName;
  const b = input.name;
  return (
    a.nb === b.nb &&
    (a.nn ?? null) === (b.nn ?? null) &&
    (a.en ?? null) === (b.en ?? null) &&
    row.organizationForm === (input.organizationForm ?? null) &&
    row.parentOrgNumber === (input.parentOrgNumber ?? null)
  );
}

function parentProblem(orgNumber: string, title: string, path: string): DomainError {
  return DomainError.validation([{ code: INVALID_VALUE, title: `${orgNumber}: ${title}`, paths: [path] }]);
}

/**
 * The organisation register (issue 20; DESIGN §4.1 stands it in for Enhetsregisteret): names in
 * nb (nn, en optional), organisation form and main unit. Writes are operator-only (the
 * controller enforces `consentgw:admin`); each write and its audit row commit together.
 */
@Injectable()
export class OrganizationsService {
  private readonly pages: PageTokens<string>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    tokens: ContinuationTokens,
  ) {
    this.pages = tokens.forPages('organizations', keyPosition);
  }

  async find(orgNumber: string): Promise<OrganizationView | null> {
    const row = await this.prisma.organization.findUnique({ where: { orgNumber } });
    return row ? toView(row) : null;
  }

  async get(orgNumber: string): Promise<OrganizationView> {
    const org = await this.find(orgNumber);
    if (!org)
      throw DomainError.notFound(
        'OWN-00005',
        `Organisation ${orgNumber} is not in the organisation register.`,
      );
    return org;
  }

  /** The main unit of each given sub-unit (orgs without one are absent). */
  async parentsOf(orgNumbers: readonly string[]): Promise<Map<string, string>> {
    if (orgNumbers.length === 0) return new Map();
    const rows = await this.prisma.organization.findMany({
      where: { orgNumber: { in: [...new Set(orgNumbers)] }, parentOrgNumber: { not: null } },
      select: { orgNumber: true, parentOrgNumber: true },
    });
    return new Map(rows.map((r) => [r.orgNumber, r.parentOrgNumber!]));
  }

  async list(continuationToken?: string): Promise<{ items: OrganizationView[]; next: string | null }> {
    const after = continuationToken === undefined ? undefined : this.pages.decode(continuationToken, '');
    const rows = await this.prisma.organization.findMany({
      where: after === undefined ? {} : { orgNumber: { gt: after } },
      orderBy: { orgNumber: 'asc' },
      take: PAGE_SIZE + 1,
    });
    const { items, lastIfMore } = cutPage(rows, PAGE_SIZE);
    return { items: items.map(toView), next: lastIfMore && this.pages.encode('', lastIfMore.orgNumber) };
  }

  /** Creates (created: true) or replaces one organisation. */
  async put(
    input: OrganizationInput,
    actor: AuditActor,
  ): Promise<{ org: OrganizationView; created: boolean }> {
    return this.prisma.$transaction(async (tx) => {
      await this.checkParents(tx, [input], '$.parentOrgNumber');
      const existing = await tx.organization.findUnique({ where: { orgNumber: input.orgNumber } });
      if (existing && sameContent(existing, input)) return { org: toView(existing), created: false };
      const data = {
        name: { ...cleanName(input.name) },
        organizationForm: input.organizationForm ?? null,
        parentOrgNumber: input.parentOrgNumber ?? null,
      };
      const row = existing
        ? await tx.organization.update({
            where: { orgNumber: input.orgNumber },
            data: { ...data, updatedAt: new Date() },
          })
        : await tx.organization.create({ data: { orgNumber: input.orgNumber, ...data } });
      const org = toView(row);
      await this.audit.record(tx, {
        actor,
        action: existing ? 'organization.update' : 'organization.create',
        objectType: 'organization',
        objectId: org.orgNumber,
        ownerOrg: org.orgNumber,
        before: existing ? toView(existing) : undefined,
        after: org,
      });
      return { org, created: !existing };
    });
  }

  /**
   * Writes many organisations in one transaction (the Brønnøysund import): new ones are
   * created, changed ones replaced, the rest left alone. One audit row summarises the import,
   * so a national register file does not become a million audit rows.
   */
  async importMany(rows: OrganizationInput[], actor: AuditActor): Promise<ImportSummary> {
    return this.prisma.$transaction(async (tx) => {
      await this.checkParents(tx, rows, '$[*].overordnetEnhet');
      const summary: ImportSummary = { created: 0, updated: 0, unchanged: 0 };
      for (let i = 0; i < rows.length; i += IMPORT_CHUNK) {
        const chunk = rows.slice(i, i + IMPORT_CHUNK);
        const existing = new Map(
          (
            await tx.organization.findMany({ where: { orgNumber: { in: chunk.map((r) => r.orgNumber) } } })
          ).map((r) => [r.orgNumber, r]),
        );
        const fresh = chunk.filter((r) => !existing.has(r.orgNumber));
        if (fresh.length)
          await tx.organization.createMany({
            data: fresh.map((r) => ({
              orgNumber: r.orgNumber,
              name: { ...cleanName(r.name) },
              organizationForm: r.organizationForm ?? null,
              parentOrgNumber: r.parentOrgNumber ?? null,
            })),
          });
        summary.created += fresh.length;
        for (const r of chunk) {
          const old = existing.get(r.orgNumber);
          if (!old) continue;
          if (sameContent(old, r)) {
            summary.unchanged++;
            continue;
          }
          // The names of other languages given by PUT survive a register import (which has nb only).
          const oldName = old.name as unknown as OrganizationName;
          await tx.organization.update({
            where: { orgNumber: r.orgNumber },
            data: {
              name: { ...cleanName({ ...oldName, nb: r.name.nb, ...stripUndefined(r.name) }) },
              organizationForm: r.organizationForm ?? null,
              parentOrgNumber: r.parentOrgNumber ?? null,
              updatedAt: new Date(),
            },
          });
          summary.updated++;
        }
      }
      await this.audit.record(tx, {
        actor,
        action: 'organization.import',
        objectType: 'organization',
        objectId: `import:${rows.length}`,
        after: summary,
      });
      return summary;
    }, IMPORT_TX);
  }

  /**
   * Every named main unit must be in the register (or in the same import), and no unit may end
   * up above itself: roles flow from a main unit to its sub-units, so a cycle would be a loop
   * through which a role for one organisation reaches all of them.
   */
  private async checkParents(tx: PrismaTx, rows: OrganizationInput[], path: string): Promise<void> {
    const incoming = new Map(rows.map((r) => [r.orgNumber, r.parentOrgNumber ?? null]));
    const known = new Map<string, string | null>();
    const parentOf = async (orgNumber: string): Promise<string | null | undefined> => {
      if (incoming.has(orgNumber)) return incoming.get(orgNumber);
      if (!known.has(orgNumber)) {
        const row = await tx.organization.findUnique({
          where: { orgNumber },
          select: { parentOrgNumber: true },
        });
        if (!row) return undefined;
        known.set(orgNumber, row.parentOrgNumber);
      }
      return known.get(orgNumber);
    };
    const missing = rows.map((r) => r.parentOrgNumber).filter((p): p is string => !!p && !incoming.has(p));
    if (missing.length) {
      const found = await tx.organization.findMany({
        where: { orgNumber: { in: [...new Set(missing)] } },
        select: { orgNumber: true, parentOrgNumber: true },
      });
      for (const f of found) known.set(f.orgNumber, f.parentOrgNumber);
    }
    for (const row of rows) {
      let at = row.parentOrgNumber ?? null;
      if (at === null) continue;
      if ((await parentOf(at)) === undefined)
        throw parentProblem(row.orgNumber, `main unit ${at} is not in the organisation register.`, path);
      for (let depth = 0; at !== null; depth++) {
        if (at === row.orgNumber || depth > MAX_PARENT_DEPTH)
          throw parentProblem(row.orgNumber, 'the main units would form a loop.', path);
        at = (await parentOf(at)) ?? null;
      }
    }
  }
}

function stripUndefined(n: OrganizationName): Partial<OrganizationName> {
  return Object.fromEntries(Object.entries(n).filter(([, v]) => v !== undefined && v !== ''));
}
