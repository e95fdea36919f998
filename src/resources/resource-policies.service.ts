/**
 * The owner's policy for a consent resource (beyond Altinn; docs/consent-lifecycle.md): set,
 * read and removed by the resource's owner, audited in the same transaction, and read by the
 * consent API on every create (cached; a change drops the cache here and, through the ChangeBus,
 * in every other replica).
 */
import { Injectable } from '@nestjs/common';
import { actorOf } from '../audit/audit.service.js';
import { ChangeLogService } from '../audit/change-log.service.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { InvalidatedCache } from '../common/cache/invalidated-cache.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ChangeBus } from '../common/events/change-bus.js';
import type { Prisma, Resource, ResourcePolicy } from '../generated/prisma/client.js';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service.js';
import { ResourceErrors } from './resource.errors.js';
import { bodyOf } from './resource.mapper.js';
import { validateResourcePolicy } from './resource-policy.validator.js';
import {
  NO_POLICY,
  type ResourcePolicyRecord,
  type ResourcePolicyView,
  type StoredPolicyView,
} from './resource-policy.view.js';

const CACHE_ENTRIES = 5000;
const CACHE_TTL_MS = 60_000;

function toRecord(row: ResourcePolicy): ResourcePolicyRecord {
  return {
    resource: row.resourceIdentifier,
    // Members a stored policy may predate read as their default.
    ...NO_POLICY,
    ...(row.policy as unknown as ResourcePolicyView),
    updatedAt: row.updatedAt.toISOString(),
    updatedBy: row.updatedBy,
  };
}

@Injectable()
export class ResourcePoliciesService {
  /**
   * identifier → policy (null = none, so a resource without one costs the gateway one map read),
   * invalidated through the ChangeBus `resource` topic, read through while its listener is down,
   * with a TTL as a backstop should a notification ever be lost (the gateway enforces what it
   * finds here on every call).
   */
  private readonly cache: InvalidatedCache<string, StoredPolicyView | null>;
  private generation = 0;
  /** The reminder days of every policy (the sweeper asks every second); dropped on any change. */
  private reminders?: { resource: string; days: number }[];

  constructor(
    private readonly prisma: PrismaService,
    private readonly changeLog: ChangeLogService,
    private readonly bus: ChangeBus,
  ) {
    this.cache = new InvalidatedCache({
      name: 'resource_policy',
      maxEntries: CACHE_ENTRIES,
      ttlMs: CACHE_TTL_MS,
      fresh: () => this.bus.connected,
      load: (identifier) => this.readPolicy(identifier),
    });
    bus.subscribe((e) => {
      if (e.topic !== 'resource') return;
      this.generation++;
      this.reminders = undefined;
      if (e.id === '*') this.cache.clear();
      else this.cache.invalidate(e.id);
    });
    bus.onConnectionState(() => {
      this.generation++;
      this.reminders = undefined;
      this.cache.clear();
    });
  }

  /**
   * For the consent API and the gateway: the resource's policy, or null when it has none. Not a
   * copy: read it, never change it.
   */
  policyOf(identifier: string): Promise<Readonly<StoredPolicyView> | null> {
    return this.cache.get(identifier);
  }

  /** The policies of those of `identifiers` that have one (what a consent request is judged by). */
  async policiesOf(identifiers: Iterable<string>): Promise<Map<string, Readonly<StoredPolicyView>>> {
    const ids = [...new Set(identifiers)];
    const found = await Promise.all(ids.map((i) => this.policyOf(i)));
    return new Map(ids.flatMap((i, n) => (found[n] ? [[i, found[n]] as const] : [])));
  }

  /**
   * The cached policy without waiting (the gateway's hot path): undefined on a miss, and always
   * while the change listener is down (another replica's change could be missed); then `policyOf`.
   */
  peekPolicy(identifier: string): Readonly<StoredPolicyView> | null | undefined {
    return this.cache.peek(identifier);
  }

  private async readPolicy(identifier: string): Promise<StoredPolicyView | null> {
    const row = await this.prisma.resourcePolicy.findUnique({ where: { resourceIdentifier: identifier } });
    // Members a stored policy may predate read as their default.
    return row
      ? {
          ...NO_POLICY,
          ...(row.policy as unknown as ResourcePolicyView),
          updatedAtMs: row.updatedAt.getTime(),
        }
      : null;
  }

  /** For the expiry sweeper: resources whose policy asks for reminders, with the days. */
  async reminderDays(): Promise<{ resource: string; days: number }[]> {
    const useCache = this.bus.connected;
    if (useCache && this.reminders) return this.reminders;
    const generation = this.generation;
    const rows = await this.prisma.resourcePolicy.findMany({
      where: { policy: { path: ['expiryReminderDays'], gt: 0 } },
      select: { resourceIdentifier: true, policy: true },
    });
    const found = rows.flatMap((r) => {
      const days = (r.policy as unknown as ResourcePolicyView).expiryReminderDays;
      return typeof days === 'number' && days > 0 ? [{ resource: r.resourceIdentifier, days }] : [];
    });
    if (useCache && generation === this.generation) this.reminders = found;
    return found;
  }

  /** GET …/policy: the owner (or the platform operator) reads it; 404 when none is set. */
  async read(identifier: string, principal: Principal): Promise<ResourcePolicyRecord> {
    const resource = await this.prisma.resource.findUnique({ where: { identifier } });
    this.assertOwner(resource, identifier, principal, true);
    const row = await this.prisma.resourcePolicy.findUnique({ where: { resourceIdentifier: identifier } });
    if (!row)
      throw DomainError.notFound(
        'RR-00008',
        `Resource '${identifier}' has no policy: consent requests for it follow Altinn's rules only.`,
      );
    return toRecord(row);
  }

  /** PUT …/policy: replaces the whole policy (validated against the resource's metadata keys). */
  async put(identifier: string, raw: unknown, principal: Principal): Promise<ResourcePolicyRecord> {
    return this.changeLog.transaction(async (tx, record) => {
      const { resource, policy } = await this.checked(tx, identifier, raw, principal);
      const before = await tx.resourcePolicy.findUnique({ where: { resourceIdentifier: identifier } });
      const data = {
        policy: policy as unknown as Prisma.InputJsonValue,
        updatedAt: new Date(),
        updatedBy: principal.consumer,
      };
      const row = await tx.resourcePolicy.upsert({
        where: { resourceIdentifier: identifier },
        create: { resourceIdentifier: identifier, ...data },
        update: data,
      });
      const after = toRecord(row);
      await record({
        topic: 'resource',
        id: identifier,
        audit: {
          actor: actorOf(principal),
          action: 'resource.policy.update',
          objectType: 'resource',
          objectId: identifier,
          ownerOrg: resource.ownerOrgNumber,
          before: before ? toRecord(before) : null,
          after,
        },
      });
      return after;
    });
  }

  /**
   * For the owner's preview (consents context): the policy as a PUT would store it, with the
   * same refusals (404, 403 for another owner's resource, 400 with every problem); nothing stored.
   */
  async validated(identifier: string, raw: unknown, principal: Principal): Promise<ResourcePolicyView> {
    return (await this.checked(this.prisma, identifier, raw, principal)).policy;
  }

  /** The owner's resource and the validated policy (against its declared metadata keys). */
  private async checked(
    db: PrismaTx,
    identifier: string,
    raw: unknown,
    principal: Principal,
  ): Promise<{ resource: Resource; policy: ResourcePolicyView }> {
    const resource = await this.findResource(db, identifier);
    this.assertOwner(resource, identifier, principal, false);
    const version = await db.resourceVersion.findUniqueOrThrow({
      where: { versionId: resource.currentVersionId },
    });
    const declared = Object.keys(bodyOf(version).consentMetadata ?? {});
    const { policy, problems } = validateResourcePolicy(raw, declared);
    if (problems.length) throw DomainError.validation(problems);
    return { resource, policy };
  }

  /** DELETE …/policy: back to Altinn's rules. 404 when there was none. */
  async remove(identifier: string, principal: Principal): Promise<void> {
    await this.changeLog.transaction(async (tx, record) => {
      const resource = await this.findResource(tx, identifier);
      this.assertOwner(resource, identifier, principal, false);
      const before = await tx.resourcePolicy.findUnique({ where: { resourceIdentifier: identifier } });
      if (!before) throw DomainError.notFound('RR-00008', `Resource '${identifier}' has no policy.`);
      await tx.resourcePolicy.delete({ where: { resourceIdentifier: identifier } });
      await record({
        topic: 'resource',
        id: identifier,
        audit: {
          actor: actorOf(principal),
          action: 'resource.policy.delete',
          objectType: 'resource',
          objectId: identifier,
          ownerOrg: resource.ownerOrgNumber,
          before: toRecord(before),
        },
      });
    });
  }

  /**
   * No row lock (raw SQL stays in repositories): two PUTs racing end with the later one, each
   * audited; a resource update racing a PUT that names a metadata key it removes leaves a rule
   * for a key no request can carry any more (AM-00006 refuses it first), which is harmless.
   */
  private findResource(tx: PrismaTx, identifier: string): Promise<Resource | null> {
    return tx.resource.findUnique({ where: { identifier } });
  }

  /**
   * Resource reads are public, so another owner's resource is 403, not 404 (its existence is no
   * secret). The platform operator may read any policy, but only the owner may change one.
   */
  private assertOwner(
    resource: Resource | null,
    identifier: string,
    principal: Principal,
    reading: boolean,
  ): asserts resource is Resource {
    if (!resource || resource.deletedAt) throw ResourceErrors.notFound(identifier);
    if (resource.ownerOrgNumber === principal.consumer) return;
    if (reading && principal.scopes.has(Scopes.admin)) return;
    throw DomainError.forbidden(
      'RR-00003',
      `Resource '${identifier}' belongs to another service owner; only its owner may ${reading ? 'read' : 'change'} its policy.`,
    );
  }
}
