import { Injectable } from '@nestjs/common';
import type { AuditActor } from '../audit/audit.service.js';
import type { Principal } from '../common/auth/principal.js';
import type { PrismaTx } from '../prisma/prisma.service.js';
import { AccessListPartsService, type PartPaging } from './access-list-parts.service.js';
import type { OwnerRef } from './access-list-owner.gate.js';
import { AccessListErrors } from './access-list.errors.js';
import { toConnectionDto } from './access-list.mapper.js';
import { stateOf, type Conditional } from './access-list.types.js';
import { assertResourceIdentifier } from './access-list.validation.js';
import type { ConnectionRow } from './access-lists.repository.js';
import type { AccessListResourceConnectionDto } from './dto/access-list.dto.js';
import type { RequestConditions } from './preconditions.js';

/** Which resources a list applies to, with the actions its members may perform. */
@Injectable()
export class AccessListConnectionsService extends AccessListPartsService<
  ConnectionRow,
  AccessListResourceConnectionDto
> {
  protected readonly paging: PartPaging<ConnectionRow> = {
    part: 'connections',
    segment: 'resource-connections',
    keyOf: (c) => c.resourceIdentifier,
  };

  protected fetchPage(tx: PrismaTx, listId: string, after: string | undefined, take: number) {
    return this.repo.connectionsPage(tx, listId, after, take);
  }

  protected toDto(row: ConnectionRow): AccessListResourceConnectionDto {
    return toConnectionDto(row);
  }

  /** Creates or updates the connection (200 either way, as Altinn); identical filters change nothing. */
  async upsert(
    principal: Principal,
    orgcode: string,
    identifier: string,
    resource: string,
    actionFilters: string[] | null | undefined,
    conditions: RequestConditions,
  ): Promise<Conditional<AccessListResourceConnectionDto>> {
    const owner = await this.gate.authorizeWrite(principal, orgcode, identifier);
    assertResourceIdentifier(resource, 'resourceIdentifier');
    const filters = [...new Set(actionFilters ?? [])];

    const result = await this.prisma.$transaction(async (tx) => {
      const row = await this.lockList(tx, owner, orgcode, identifier, conditions);
      await this.assertOwnedResource(tx, owner, resource);
      const existing = await tx.accessListConnection.findUnique({ where: connectionKey(row.id, resource) });
      if (existing && sameFilters(existing.actionFilters, filters))
        return { state: row, connection: existing, changed: false };

      const now = new Date();
      const connection = existing
        ? await tx.accessListConnection.update({
            where: connectionKey(row.id, resource),
            data: { actionFilters: filters, updatedAt: now },
          })
        : await tx.accessListConnection.create({
            data: {
              listId: row.id,
              resourceIdentifier: resource,
              actionFilters: filters,
              createdAt: now,
              updatedAt: now,
            },
          });
      const state = await this.bump(tx, row);
      await this.changes.record(tx, {
        principal,
        owner,
        identifier,
        listId: row.id,
        action: existing ? 'access-list.connection.update' : 'access-list.connection.create',
        before: existing ? { version: row.version, ...toConnectionDto(existing) } : { version: row.version },
        after: { version: state.version, ...toConnectionDto(connection) },
      });
      return { state, connection, changed: true };
    });
    if (result.changed) this.changes.committed(result.state.id);
    return { kind: 'ok', value: toConnectionDto(result.connection), state: stateOf(result.state) };
  }

  /** The removed connection, or null when there was none (Altinn answers 204 then). */
  async delete(
    principal: Principal,
    orgcode: string,
    identifier: string,
    resource: string,
    conditions: RequestConditions,
  ): Promise<Conditional<AccessListResourceConnectionDto> | null> {
    const owner = await this.gate.authorizeWrite(principal, orgcode, identifier);
    assertResourceIdentifier(resource, 'resourceIdentifier');

    const result = await this.prisma.$transaction(async (tx) => {
      const row = await this.lockList(tx, owner, orgcode, identifier, conditions);
      const existing = await tx.accessListConnection.findUnique({ where: connectionKey(row.id, resource) });
      if (!existing) {
        // Naming another owner's resource is refused even when there is nothing to remove.
        await this.assertNotForeignResource(tx, owner, resource);
        return null;
      }
      await tx.accessListConnection.delete({ where: connectionKey(row.id, resource) });
      const state = await this.bump(tx, row);
      await this.changes.record(tx, {
        principal,
        owner,
        identifier,
        listId: row.id,
        action: 'access-list.connection.delete',
        before: { version: row.version, ...toConnectionDto(existing) },
        after: { version: state.version },
      });
      return { state, connection: existing };
    });
    if (!result) return null;
    this.changes.committed(result.state.id);
    return { kind: 'ok', value: toConnectionDto(result.connection), state: stateOf(result.state) };
  }

  /**
   * For other contexts (access-request approval): connects one of the owner's lists to one of its
   * resources inside the caller's transaction — every action allowed — unless it is connected
   * already (then it is left as the owner set it). Locks the list, bumps the version, audits and
   * NOTIFYs like the HTTP route; the caller calls `committed(listId)` after its commit. `list` is
   * the identifier or the list URN (a URN of another owner → 403).
   */
  async ensureConnectedInTransaction(
    tx: PrismaTx,
    ownerOrgNumber: string,
    list: string,
    resource: string,
    actor: AuditActor,
  ): Promise<{ listId: string; version: number; changed: boolean }> {
    const { owner, identifier } = await this.gate.resolveInTransaction(tx, ownerOrgNumber, list);
    const row = await this.lockList(tx, owner, owner.orgcode, identifier, {});
    await this.assertOwnedResource(tx, owner, resource);
    const key = connectionKey(row.id, resource);
    if (await tx.accessListConnection.findUnique({ where: key }))
      return { listId: row.id, version: row.version, changed: false };
    const now = new Date();
    const connection = await tx.accessListConnection.create({
      data: {
        listId: row.id,
        resourceIdentifier: resource,
        actionFilters: [],
        createdAt: now,
        updatedAt: now,
      },
    });
    const state = await this.bump(tx, row);
    await this.changes.record(tx, {
      principal: { actor },
      owner,
      identifier,
      listId: row.id,
      action: 'access-list.connection.create',
      before: { version: row.version },
      after: { version: state.version, ...toConnectionDto(connection) },
    });
    return { listId: row.id, version: state.version, changed: true };
  }

  /** A list may only point at a live resource of its own owner (403 otherwise, unknown included). */
  private async assertOwnedResource(tx: PrismaTx, owner: OwnerRef, resource: string): Promise<void> {
    const r = await tx.resource.findUnique({
      where: { identifier: resource },
      select: { ownerOrgNumber: true, deletedAt: true },
    });
    if (!r || r.deletedAt || r.ownerOrgNumber !== owner.orgNumber)
      throw AccessListErrors.resourceNotOwned(resource);
  }

  private async assertNotForeignResource(tx: PrismaTx, owner: OwnerRef, resource: string): Promise<void> {
    const r = await tx.resource.findUnique({
      where: { identifier: resource },
      select: { ownerOrgNumber: true },
    });
    if (r && r.ownerOrgNumber !== owner.orgNumber) throw AccessListErrors.resourceNotOwned(resource);
  }
}

function sameFilters(a: string[] | null, b: string[]): boolean {
  const x = a ?? [];
  return x.length === b.length && x.every((v, i) => v === b[i]);
}

function connectionKey(listId: string, resourceIdentifier: string) {
  return { listId_resourceIdentifier: { listId, resourceIdentifier } };
}
