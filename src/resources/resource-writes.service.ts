import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { actorOf } from '../audit/audit.service.js';
import { ChangeLogService } from '../audit/change-log.service.js';
import type { Principal } from '../common/auth/principal.js';
import { DomainError, type ValidationProblem } from '../common/errors/domain-error.js';
import { INVALID_VALUE } from '../common/errors/validation-errors.js';
import { Prisma, type Resource, type ResourceVersion } from '../generated/prisma/client.js';
import type { OwnerView } from '../owners/owner.view.js';
import { OwnersService } from '../owners/owners.service.js';
import type { PrismaTx } from '../prisma/prisma.service.js';
import { ScopesService } from '../scopes/scopes.service.js';
import { MASKINPORTEN_SCOPE_PATTERN, type ResourceBodyDto, type ResourceDto } from './dto/resource.dto.js';
import { ResourceErrors } from './resource.errors.js';
import { toResourceDto } from './resource.mapper.js';
import {
  canonicalJson,
  normalizeResourceBody,
  validateResourceBody,
  type StoredResourceBody,
} from './resource-validator.js';
import { ResourcesRepository } from './resources.repository.js';
import { TemplatesService } from './templates.service.js';

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

/**
 * Writes to consent resources (DESIGN §4.2): create, update and soft delete by their owner.
 * Every write makes a new immutable `resource_versions` row (consents record the version they
 * were given under), audits and publishes a `resource` change in the same transaction
 * (ChangeLogService), so the caches of ResourcesService here and in other replicas drop it.
 */
@Injectable()
export class ResourceWritesService {
  constructor(
    private readonly changeLog: ChangeLogService,
    private readonly owners: OwnersService,
    private readonly templates: TemplatesService,
    private readonly repository: ResourcesRepository,
    private readonly scopes: ScopesService,
  ) {}

  async create(raw: unknown, principal: Principal): Promise<ResourceDto> {
    const { body, owner } = await this.validated(raw);
    this.assertCallerOwns(owner, body.hasCompetentAuthority.orgcode, principal);
    const stored = normalizeResourceBody(body, owner);
    let dto: ResourceDto;
    try {
      dto = await this.changeLog.transaction(async (tx, record) => {
        const existing = await tx.resource.findUnique({ where: { identifier: stored.identifier } });
        if (existing) throw ResourceErrors.duplicate(stored.identifier, !!existing.deletedAt);
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
      if (isUniqueViolation(err)) throw ResourceErrors.duplicate(stored.identifier, false);
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
      // A versionId in the body is ignored like the other read-only members (DESIGN §11). Resources
      // send no ETag, so there is no conditional PUT; the last write wins, each one a new version.
      // An omitted accessListMode keeps the current mode: failing safe, an Enabled list stays on.
      const stored = normalizeResourceBody(body, owner, { accessListMode: row.accessListMode });
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
    if (owner) extra.push(...(await this.foreignScopeProblems(dto, owner)));
    const all = [...problems, ...extra];
    if (all.length) throw DomainError.validation(all);
    return { body: dto, owner };
  }

  /**
   * A resource names the Maskinporten scopes a consumer needs (the guide lists them, access
   * requests ask its owner to grant them): only the owner's own. Naming another organisation's
   * scope, or one under its prefix or the platform's, would send consumers to the wrong owner
   * for access, and have this owner approve grants it cannot give (RT3-8). A scope not created
   * yet under an unclaimed prefix stays allowed: an owner may register the resource first.
   */
  private async foreignScopeProblems(dto: ResourceBodyDto, owner: OwnerView): Promise<ValidationProblem[]> {
    const refs = (Array.isArray(dto.resourceReferences) ? dto.resourceReferences : [])
      .map((r, i) => ({ r, i }))
      .filter(
        ({ r }) =>
          typeof r === 'object' &&
          r !== null &&
          r.referenceType === 'MaskinportenScope' &&
          typeof r.reference === 'string' &&
          MASKINPORTEN_SCOPE_PATTERN.test(r.reference),
      );
    if (refs.length === 0) return [];
    const foreign = await this.scopes.notOwnedBy(
      [...new Set(refs.map(({ r }) => r.reference))],
      owner.orgNumber,
    );
    return refs.flatMap(({ r, i }) => {
      const reason = foreign.get(r.reference);
      return reason
        ? [
            {
              code: INVALID_VALUE,
              title: `${reason}; a resource may name only scopes of its own service owner ('${owner.orgcode}')`,
              paths: [`$.resourceReferences[${i}].reference`],
            },
          ]
        : [];
    });
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
    await this.repository.lockForUpdate(tx, identifier);
    const row = await tx.resource.findUnique({ where: { identifier } });
    if (!row || row.deletedAt) throw ResourceErrors.notFound(identifier);
    if (row.ownerOrgNumber !== principal.consumer) throw ResourceErrors.notYours(identifier);
    return row;
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
}
