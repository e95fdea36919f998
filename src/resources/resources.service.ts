import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { actorOf } from '../audit/audit.service.js';
import { ChangeLogService } from '../audit/change-log.service.js';
import { ClockCache } from '../common/cache/clock-cache.js';
import { InvalidatedCache } from '../common/cache/invalidated-cache.js';
import type { Principal } from '../common/auth/principal.js';
import { DomainError, type ValidationProblem } from '../common/errors/domain-error.js';
import { INVALID_VALUE } from '../common/errors/validation-errors.js';
import { ChangeBus } from '../common/events/change-bus.js';
import { isUuid } from '../common/identifiers/uuid.js';
import { Prisma, type Resource, type ResourceVersion } from '../generated/prisma/client.js';
import type { OwnerView } from '../owners/owner.view.js';
import { OwnersService } from '../owners/owners.service.js';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service.js';
import type { ConsentResourceView } from './consent-resource.view.js';
import type { ResourceDto, ResourceVersionSummaryDto } from './dto/resource.dto.js';
import { toConsentResourceView, toResourceDto } from './resource.mapper.js';
import {
  canonicalJson,
  normalizeResourceBody,
  validateResourceBody,
  type StoredResourceBody,
} from './resource-validator.js';
import { TemplatesService } from './templates.service.js';

const CACHE_ENTRIES = 5000;
/** Backstop should a change notification ever be lost; a miss costs two primary-key reads. */
const CACHE_TTL_MS = 60_000;

function notFound(identifier: string): DomainError {
  return DomainError.notFound('RR-00001', `Resource '${identifier}' does not exist.`);
}

function notYours(identifier: string): DomainError {
  return DomainError.forbidden(
    'RR-00003',
    `Resource '${identifier}' belongs to another service owner; only its owner may change it.`,
  );
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

/**
 * Consent resources (DESIGN §4.2). Every write makes a new immutable `resource_versions` row
 * (consents record the version they were given under), audits and publishes a `resource` change in the same transaction (ChangeLogService), so
 * caches here and in other replicas drop it.
 */
@Injectable()
export class ResourcesService {
  /** identifier → current view (null = missing or deleted), invalidated through the ChangeBus. */
  private readonly current: InvalidatedCache<string, ConsentResourceView | null>;
  /** versionId → view; versions never change, so no invalidation is needed. */
  private readonly versions = new ClockCache<string, ConsentResourceView>(CACHE_ENTRIES);

  constructor(
    private readonly prisma: PrismaService,
    private readonly changeLog: ChangeLogService,
    private readonly owners: OwnersService,
    private readonly templates: TemplatesService,
    private readonly bus: ChangeBus,
  ) {
    this.current = new InvalidatedCache({
      name: 'resource',
      maxEntries: CACHE_ENTRIES,
      ttlMs: CACHE_TTL_MS,
      // While the cross-replica listener is down another replica's change may be missed: read through.
      fresh: () => this.bus.connected,
      load: (identifier) => this.readConsentResource(identifier),
    });
    bus.subscribe((e) => {
      if (e.topic !== 'resource') return;
      if (e.id === '*') this.current.clear();
      else this.current.invalidate(e.id);
    });
    bus.onConnectionState(() => this.current.clear());
  }

  // ───────────── API for other contexts ─────────────

  /** The current version, or null when the resource does not exist or was deleted. */
  async getConsentResource(identifier: string): Promise<ConsentResourceView | null> {
    const view = await this.current.get(identifier);
    return view && structuredClone(view);
  }

  /**
   * `getConsentResource` without the copy, for callers that only read it: consent creation asks
   * for its resources on every request, and the deep copy cost more than the rest of the lookup
   * (issue 22, a profile of consent creation). Read it, never change it.
   */
  async getConsentResourceReadOnly(identifier: string): Promise<Readonly<ConsentResourceView> | null> {
    return this.current.get(identifier);
  }

  /**
   * The cached current version without waiting: undefined on a miss (then `getConsentResource`).
   * Not a copy (the gateway's hot path): read it, never change it.
   */
  peekConsentResource(identifier: string): Readonly<ConsentResourceView> | null | undefined {
    return this.current.peek(identifier);
  }

  private async readConsentResource(identifier: string): Promise<ConsentResourceView | null> {
    const row = await this.prisma.resource.findUnique({ where: { identifier } });
    if (!row || row.deletedAt) return null;
    const version = await this.prisma.resourceVersion.findUnique({
      where: { versionId: row.currentVersionId },
    });
    return version ? toConsentResourceView(row, version) : null;
  }

  /** One version, also of a deleted resource (a consent keeps pointing at its version forever). */
  async getConsentResourceVersion(
    identifier: string,
    versionId: string,
  ): Promise<ConsentResourceView | null> {
    const hit = this.versions.get(versionId);
    if (hit) return hit.identifier === identifier ? structuredClone(hit) : null;
    if (!isUuid(versionId)) return null;
    const version = await this.prisma.resourceVersion.findUnique({
      where: { versionId },
      include: { resource: true },
    });
    if (!version || version.resourceIdentifier !== identifier) return null;
    const view = toConsentResourceView(version.resource, version);
    this.versions.set(versionId, view);
    return structuredClone(view);
  }

  /** Current versions of the owner's resources that are not deleted, by identifier. */
  async listByOwnerOrgNumber(orgNumber: string): Promise<ConsentResourceView[]> {
    const rows = await this.prisma.resource.findMany({
      where: { ownerOrgNumber: orgNumber, deletedAt: null },
      orderBy: { identifier: 'asc' },
    });
    const versions = await this.currentVersions(rows);
    return rows.flatMap((r) => {
      const v = versions.get(r.currentVersionId);
      return v ? [toConsentResourceView(r, v)] : [];
    });
  }

  // ───────────── HTTP API ─────────────

  async get(identifier: string): Promise<ResourceDto> {
    const row = await this.prisma.resource.findUnique({ where: { identifier } });
    if (!row || row.deletedAt) throw notFound(identifier);
    const version = await this.prisma.resourceVersion.findUniqueOrThrow({
      where: { versionId: row.currentVersionId },
    });
    return toResourceDto(row, version);
  }

  /** Every resource that is not deleted, optionally of one owner (org code), by identifier. */
  async list(ownerOrgcode?: string): Promise<ResourceDto[]> {
    const rows = await this.prisma.resource.findMany({
      where: { deletedAt: null, ...(ownerOrgcode ? { ownerOrgcode } : {}) },
      orderBy: { identifier: 'asc' },
    });
    const versions = await this.currentVersions(rows);
    return rows.flatMap((r) => {
      const v = versions.get(r.currentVersionId);
      return v ? [toResourceDto(r, v)] : [];
    });
  }

  /** Version history, oldest first; kept (and readable) after the resource is deleted. */
  async listVersions(identifier: string): Promise<ResourceVersionSummaryDto[]> {
    const row = await this.prisma.resource.findUnique({ where: { identifier } });
    if (!row) throw notFound(identifier);
    const versions = await this.prisma.resourceVersion.findMany({
      where: { resourceIdentifier: identifier },
      orderBy: { seq: 'asc' },
      select: { versionId: true, seq: true, createdAt: true },
    });
    return versions.map((v) => ({
      versionId: v.versionId,
      version: v.seq,
      createdAt: v.createdAt.toISOString(),
      current: !row.deletedAt && v.versionId === row.currentVersionId,
    }));
  }

  async getVersion(identifier: string, versionId: string): Promise<ResourceDto> {
    const version = await this.prisma.resourceVersion.findUnique({
      where: { versionId },
      include: { resource: true },
    });
    if (!version || version.resourceIdentifier !== identifier)
      throw DomainError.notFound('RR-00007', `Resource '${identifier}' has no version ${versionId}.`);
    return toResourceDto(version.resource, version);
  }

  async create(raw: unknown, principal: Principal): Promise<ResourceDto> {
    const { body, owner } = await this.validated(raw);
    this.assertCallerOwns(owner, body.hasCompetentAuthority.orgcode, principal);
    const stored = normalizeResourceBody(body, owner);
    let dto: ResourceDto;
    try {
      dto = await this.changeLog.transaction(async (tx, record) => {
        const existing = await tx.resource.findUnique({ where: { identifier: stored.identifier } });
        if (existing) throw this.duplicate(stored.identifier, !!existing.deletedAt);
        const versionId = randomUUID();
        const resource = await tx.resource.create({
          data: {
            identifier: stored.identifier,
            ownerOrgcode: owner.orgcode,
            ownerOrgNumber: owner.orgNumber,
            currentVersionId: versionId,
            ...this.rowColumns(stored),
          },
        });
        const version = await this.writeVersion(tx, stored, versionId, 1, principal);
        const created = toResourceDto(resource, version);
        await record({
          topic: 'resource',
          id: stored.identifier,
          audit: {
            actor: actorOf(principal),
            action: 'resource.create',
            objectType: 'resource',
            objectId: stored.identifier,
            ownerOrg: owner.orgNumber,
            after: created,
          },
        });
        return created;
      });
    } catch (err) {
      // Two creates of one identifier racing: the loser hits the primary key.
      if (isUniqueViolation(err)) throw this.duplicate(stored.identifier, false);
      throw err;
    }
    return dto;
  }

  /** Replaces the resource's content. An identical body changes nothing (no new version). */
  async update(identifier: string, raw: unknown, principal: Principal): Promise<ResourceDto> {
    const { body, owner } = await this.validated(raw, identifier);
    const result = await this.changeLog.transaction(async (tx, record) => {
      const row = await this.lockForWrite(tx, identifier, principal);
      // The owner is fixed: handing a resource to another owner would let it rewrite texts
      // that consents were given under in someone else's name.
      if (!owner || owner.orgcode !== row.ownerOrgcode)
        throw DomainError.forbidden(
          'RR-00003',
          `hasCompetentAuthority.orgcode must stay '${row.ownerOrgcode}'; a resource cannot move to another owner.`,
        );
      const current = await tx.resourceVersion.findUniqueOrThrow({
        where: { versionId: row.currentVersionId },
      });
      if (body.versionId !== undefined && body.versionId.toLowerCase() !== current.versionId)
        throw DomainError.preconditionFailed(
          'RR-00005',
          `versionId ${body.versionId} is not the current version of '${identifier}' (${current.versionId}); re-read it and apply your change again.`,
        );
      const stored = normalizeResourceBody(body, owner);
      if (canonicalJson(stored) === canonicalJson(current.body))
        return { dto: toResourceDto(row, current), changed: false };

      const versionId = randomUUID();
      const version = await this.writeVersion(tx, stored, versionId, current.seq + 1, principal);
      const updated = await tx.resource.update({
        where: { identifier },
        data: { currentVersionId: versionId, ...this.rowColumns(stored), updatedAt: version.createdAt },
      });
      const dto = toResourceDto(updated, version);
      await record({
        topic: 'resource',
        id: identifier,
        audit: {
          actor: actorOf(principal),
          action: 'resource.update',
          objectType: 'resource',
          objectId: identifier,
          ownerOrg: row.ownerOrgNumber,
          before: toResourceDto(row, current),
          after: dto,
        },
      });
      return { dto, changed: true };
    });
    return result.dto;
  }

  /**
   * Soft delete: versions stay readable for the consents that point at them. Refused while any
   * consent request names the resource, since deleting it would strand those requests.
   */
  async remove(identifier: string, principal: Principal): Promise<void> {
    await this.changeLog.transaction(async (tx, record) => {
      const row = await this.lockForWrite(tx, identifier, principal);
      const references = await tx.consentRequest.count({ where: { resources: { has: identifier } } });
      if (references > 0)
        throw DomainError.conflict(
          'RR-00004',
          `Resource '${identifier}' is referenced by ${references} consent request(s) and cannot be deleted.`,
        );
      const current = await tx.resourceVersion.findUniqueOrThrow({
        where: { versionId: row.currentVersionId },
      });
      const deleted = await tx.resource.update({ where: { identifier }, data: { deletedAt: new Date() } });
      await record({
        topic: 'resource',
        id: identifier,
        audit: {
          actor: actorOf(principal),
          action: 'resource.delete',
          objectType: 'resource',
          objectId: identifier,
          ownerOrg: row.ownerOrgNumber,
          before: toResourceDto(row, current),
          after: { identifier, deletedAt: deleted.deletedAt?.toISOString() },
        },
      });
    });
  }

  // ───────────── internals ─────────────

  /**
   * Every 400 in one answer: field rules, cross-field rules and the checks that need the
   * database (template exists, `organization` matches the owner).
   */
  private async validated(
    raw: unknown,
    pathIdentifier?: string,
  ): Promise<{ body: Awaited<ReturnType<typeof validateResourceBody>>['dto']; owner: OwnerView | null }> {
    const { dto, problems } = await validateResourceBody(raw);
    const extra: ValidationProblem[] = [];
    if (
      pathIdentifier !== undefined &&
      typeof dto.identifier === 'string' &&
      dto.identifier !== pathIdentifier
    )
      extra.push({
        code: INVALID_VALUE,
        title: `identifier must equal the identifier in the path ('${pathIdentifier}'); identifiers cannot be renamed`,
        paths: ['$.identifier'],
      });
    const templateId = dto.consentTemplate ?? 'default';
    if (typeof templateId === 'string' && !problems.some((p) => p.paths.includes('$.consentTemplate'))) {
      const template = await this.templates.getTemplate(templateId);
      if (!template)
        extra.push({
          code: INVALID_VALUE,
          title: `consentTemplate '${templateId}' is not an active consent template`,
          paths: ['$.consentTemplate'],
        });
    }
    const orgcode =
      typeof dto.hasCompetentAuthority?.orgcode === 'string' ? dto.hasCompetentAuthority.orgcode : undefined;
    const owner = orgcode ? await this.owners.findByOrgcode(orgcode) : null;
    const organization = dto.hasCompetentAuthority?.organization;
    if (owner && typeof organization === 'string' && organization !== owner.orgNumber)
      extra.push({
        code: INVALID_VALUE,
        title: `hasCompetentAuthority.organization must be ${owner.orgNumber}, the org number of '${owner.orgcode}'`,
        paths: ['$.hasCompetentAuthority.organization'],
      });
    const all = [...problems, ...extra];
    if (all.length) throw DomainError.validation(all);
    return { body: dto, owner };
  }

  /** The caller's `consumer` org must be the named owner's org number (DESIGN §3). */
  private assertCallerOwns(
    owner: OwnerView | null,
    orgcode: string,
    principal: Principal,
  ): asserts owner is OwnerView {
    if (!owner)
      throw DomainError.forbidden(
        'RR-00003',
        `'${orgcode}' is not a registered service owner; ask the platform operator to register it.`,
      );
    if (owner.orgNumber !== principal.consumer)
      throw DomainError.forbidden(
        'RR-00003',
        `The caller (organisation ${principal.consumer}) is not service owner '${orgcode}'.`,
      );
  }

  /**
   * Locks the row for the rest of the transaction, so concurrent writes to one resource queue
   * up (version numbers stay gap-free) and a delete cannot interleave with an update.
   * Reads are public, so a write to another owner's resource is 403, not 404 (nothing to hide).
   */
  private async lockForWrite(tx: PrismaTx, identifier: string, principal: Principal): Promise<Resource> {
    await tx.$queryRaw`SELECT identifier FROM resources WHERE identifier = ${identifier} FOR UPDATE`;
    const row = await tx.resource.findUnique({ where: { identifier } });
    if (!row || row.deletedAt) throw notFound(identifier);
    if (row.ownerOrgNumber !== principal.consumer) throw notYours(identifier);
    return row;
  }

  private duplicate(identifier: string, deleted: boolean): DomainError {
    return DomainError.conflict(
      'RR-00002',
      deleted
        ? `Resource '${identifier}' existed and was deleted; identifiers are never reused because consents may still name its versions.`
        : `A resource with identifier '${identifier}' already exists.`,
    );
  }

  /** Columns the gateway and consent code filter on without opening the JSON body. */
  private rowColumns(b: StoredResourceBody) {
    return {
      accessListMode: b.accessListMode,
      isOneTimeConsent: b.isOneTimeConsent,
      consentTemplate: b.consentTemplate,
    };
  }

  private writeVersion(
    tx: PrismaTx,
    body: StoredResourceBody,
    versionId: string,
    seq: number,
    principal: Principal,
  ): Promise<ResourceVersion> {
    return tx.resourceVersion.create({
      data: {
        versionId,
        resourceIdentifier: body.identifier,
        seq,
        body: JSON.parse(JSON.stringify(body)) as Prisma.InputJsonValue,
        createdBy: principal.consumer,
      },
    });
  }

  private async currentVersions(rows: Resource[]): Promise<Map<string, ResourceVersion>> {
    if (rows.length === 0) return new Map();
    const versions = await this.prisma.resourceVersion.findMany({
      where: { versionId: { in: rows.map((r) => r.currentVersionId) } },
    });
    return new Map(versions.map((v) => [v.versionId, v]));
  }
}
