import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { actorOf } from '../audit/audit.service.js';
import { ChangeLogService } from '../audit/change-log.service.js';
import type { Principal } from '../common/auth/principal.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { Client, Prisma } from '../generated/prisma/client.js';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service.js';
import { ScopesService } from '../scopes/scopes.service.js';
import { ClientErrors } from './client-errors.js';
import { lockClient } from './clients.repository.js';
import { validateClientJwks, type PublicJwk } from './client-jwks.js';
import { toClientResponse } from './client.mapper.js';
import type { CreateClientDto, UpdateClientDto } from './dto/client.dto.js';

/**
 * The caller's own clients (Maskinporten DCR shapes) and their public keys. A client belongs to
 * the org in the caller's `consumer` claim; another org's client is 404 — it is not there for
 * this caller (DESIGN §3: object of another owner → 404).
 *
 * Scopes on a client must exist and be active, but need not be granted to the org yet: as in
 * Maskinporten, a client may be set up before access is given, and the token endpoint checks
 * the grant on every token request.
 */
@Injectable()
export class ClientRegistryService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly changes: ChangeLogService,
    private readonly scopes: ScopesService,
  ) {}

  async list(principal: Principal): Promise<Client[]> {
    return this.prisma.client.findMany({
      where: { orgNumber: principal.consumer },
      orderBy: [{ createdAt: 'asc' }, { clientId: 'asc' }],
    });
  }

  async get(principal: Principal, clientId: string): Promise<Client> {
    const row = await this.prisma.client.findUnique({ where: { clientId } });
    if (!row || row.orgNumber !== principal.consumer) throw notFound(clientId);
    return row;
  }

  async create(principal: Principal, dto: CreateClientDto): Promise<Client> {
    await this.checkScopes(dto.scopes);
    const clientId = randomUUID();
    const row = await this.changes.transaction(async (tx, record) => {
      const created = await tx.client.create({
        data: {
          clientId,
          orgNumber: principal.consumer,
          clientName: dto.client_name,
          description: dto.description ?? '',
          scopes: dto.scopes,
          integrationType: dto.integration_type ?? 'maskinporten',
          tokenEndpointAuthMethod: dto.token_endpoint_auth_method ?? 'private_key_jwt',
          active: true,
        },
      });
      await record({
        topic: 'client',
        id: clientId,
        audit: {
          actor: actorOf(principal),
          action: 'client.create',
          objectType: 'client',
          objectId: clientId,
          ownerOrg: principal.consumer,
          after: toClientResponse(created),
        },
      });
      return created;
    });
    return row;
  }

  async update(principal: Principal, clientId: string, dto: UpdateClientDto): Promise<Client> {
    if (dto.scopes) await this.checkScopes(dto.scopes);
    const row = await this.changes.transaction(async (tx, record) => {
      const before = await this.lockOwned(tx, principal, clientId);
      const data: Prisma.ClientUpdateInput = { updatedAt: new Date() };
      if (dto.client_name !== undefined) data.clientName = dto.client_name;
      if (dto.description !== undefined) data.description = dto.description;
      if (dto.scopes !== undefined) data.scopes = dto.scopes;
      if (dto.integration_type !== undefined) data.integrationType = dto.integration_type;
      if (dto.token_endpoint_auth_method !== undefined)
        data.tokenEndpointAuthMethod = dto.token_endpoint_auth_method;
      if (dto.active !== undefined) data.active = dto.active;
      const updated = await tx.client.update({ where: { clientId }, data });
      await record({
        topic: 'client',
        id: clientId,
        audit: {
          actor: actorOf(principal),
          action: 'client.update',
          objectType: 'client',
          objectId: clientId,
          ownerOrg: principal.consumer,
          before: toClientResponse(before),
          after: toClientResponse(updated),
        },
      });
      return updated;
    });
    return row;
  }

  /** Deletes the client; its keys go with it (FK cascade), so no assertion verifies any more. */
  async remove(principal: Principal, clientId: string): Promise<void> {
    await this.changes.transaction(async (tx, record) => {
      const before = await this.lockOwned(tx, principal, clientId);
      const keys = await tx.clientKey.findMany({
        where: { clientId },
        select: { kid: true },
        orderBy: { kid: 'asc' },
      });
      await tx.client.delete({ where: { clientId } });
      await record({
        topic: 'client',
        id: clientId,
        audit: {
          actor: actorOf(principal),
          action: 'client.delete',
          objectType: 'client',
          objectId: clientId,
          ownerOrg: principal.consumer,
          before: { ...toClientResponse(before), kids: keys.map((k) => k.kid) },
        },
      });
    });
  }

  async getKeys(principal: Principal, clientId: string): Promise<PublicJwk[]> {
    await this.get(principal, clientId);
    const keys = await this.prisma.clientKey.findMany({ where: { clientId }, orderBy: { kid: 'asc' } });
    return keys.map((k) => k.jwk as unknown as PublicJwk);
  }

  /**
   * Replaces the whole key set atomically (Maskinporten's POST semantics): every key is checked
   * first, and a single bad key refuses the upload with nothing stored. The 404 for another
   * org's client comes before key validation, so the body reveals nothing about it.
   */
  async replaceKeys(principal: Principal, clientId: string, keys: unknown[]): Promise<PublicJwk[]> {
    await this.get(principal, clientId);
    const checked = await validateClientJwks(keys);
    if (!checked.ok)
      throw DomainError.validation(checked.problems, 'The key set was refused; nothing was stored.');
    const stored = await this.changes.transaction(async (tx, record) => {
      await this.lockOwned(tx, principal, clientId);
      const before = await tx.clientKey.findMany({ where: { clientId }, orderBy: { kid: 'asc' } });
      await tx.clientKey.deleteMany({ where: { clientId } });
      if (checked.keys.length)
        await tx.clientKey.createMany({
          data: checked.keys.map((jwk) => ({
            clientId,
            kid: jwk.kid,
            jwk: jwk as unknown as Prisma.InputJsonValue,
          })),
        });
      await tx.client.update({ where: { clientId }, data: { updatedAt: new Date() } });
      await record({
        topic: 'client',
        id: clientId,
        audit: {
          actor: actorOf(principal),
          action: 'client-jwks.replace',
          objectType: 'client-jwks',
          objectId: clientId,
          ownerOrg: principal.consumer,
          before: { keys: before.map((k) => k.jwk) },
          after: { keys: checked.keys },
        },
      });
      return [...checked.keys].sort((a, b) => (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0));
    });
    return stored;
  }

  /** Row lock on the caller's client (404 when absent or another org's). */
  private async lockOwned(tx: PrismaTx, principal: Principal, clientId: string): Promise<Client> {
    await lockClient(tx, clientId);
    const row = await tx.client.findUnique({ where: { clientId } });
    if (!row || row.orgNumber !== principal.consumer) throw notFound(clientId);
    return row;
  }

  /** One 400 naming every scope that does not exist or is inactive. */
  private async checkScopes(names: string[]): Promise<void> {
    const views = await Promise.all(names.map((n) => this.scopes.getScope(n)));
    const bad = names.flatMap((name, i) =>
      views[i]?.active ? [] : [{ name, i, exists: views[i] !== null }],
    );
    if (bad.length === 0) return;
    throw DomainError.validation(
      bad.map(({ name, i, exists }) => ({
        code: ClientErrors.unknownScope,
        title: exists ? `Scope '${name}' is inactive` : `Scope '${name}' does not exist`,
        paths: [`$.scopes[${i}]`],
      })),
      `Unknown or inactive scope(s): ${bad.map((b) => `'${b.name}'`).join(', ')}.`,
    );
  }
}

function notFound(clientId: string): DomainError {
  return DomainError.notFound(ClientErrors.notFound, `Client '${clientId}' was not found.`);
}
