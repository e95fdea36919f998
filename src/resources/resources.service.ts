import { Injectable } from '@nestjs/common';
import { ClockCache } from '../common/cache/clock-cache.js';
import { InvalidatedCache } from '../common/cache/invalidated-cache.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ChangeBus } from '../common/events/change-bus.js';
import { isUuid } from '../common/identifiers/uuid.js';
import type { Resource, ResourceVersion } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { ConsentResourceView } from './consent-resource.view.js';
import type { ResourceDto, ResourceVersionSummaryDto } from './dto/resource.dto.js';
import { ResourceErrors } from './resource.errors.js';
import { toConsentResourceView, toResourceDto } from './resource.mapper.js';

const CACHE_ENTRIES = 5000;
/** Backstop should a change notification ever be lost; a miss costs two primary-key reads. */
const CACHE_TTL_MS = 60_000;

/**
 * Reading consent resources (DESIGN §4.2): the current version (cached, dropped on `resource`
 * changes, which ResourceWritesService publishes), any version, and the HTTP API's reads.
 */
@Injectable()
export class ResourcesService {
  /** identifier → current view (null = missing or deleted), invalidated through the ChangeBus. */
  private readonly current: InvalidatedCache<string, ConsentResourceView | null>;
  /** versionId → view; versions never change, so no invalidation is needed. */
  private readonly versions = new ClockCache<string, ConsentResourceView>(CACHE_ENTRIES);

  constructor(
    private readonly prisma: PrismaService,
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
    if (!row || row.deletedAt) throw ResourceErrors.notFound(identifier);
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
    if (!row) throw ResourceErrors.notFound(identifier);
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

  private async currentVersions(rows: Resource[]): Promise<Map<string, ResourceVersion>> {
    if (rows.length === 0) return new Map();
    const versions = await this.prisma.resourceVersion.findMany({
      where: { versionId: { in: rows.map((r) => r.currentVersionId) } },
    });
    return new Map(versions.map((v) => [v.versionId, v]));
  }
}
