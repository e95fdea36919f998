import { Injectable } from '@nestjs/common';
import { actorOf, AuditService } from '../audit/audit.service.js';
import { ChangeLogService } from '../audit/change-log.service.js';
import { InsufficientScopeError } from '../common/auth/auth-errors.js';
import { hasScopes, type Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { Scope, ScopeGrant } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { ScopeErrors } from './scope-errors.js';
import { delegationObjectId, grantObjectId } from './scope.mapper.js';
import { notFound, ScopeRegistryService } from './scope-registry.service.js';
import { ScopesService } from './scopes.service.js';

/**
 * Grants of a scope to consumer orgs (Maskinporten `/scopes/access`).
 *
 * Who may grant: the scope's owner with `idporten:scopes.write`; a platform scope (no owner)
 * only with a `consentgw:admin` token, which alone suffices (DESIGN §10). Another owner's scope
 * is 404, like everywhere in the registry.
 */
@Injectable()
export class ScopeGrantsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly changes: ChangeLogService,
    private readonly registry: ScopeRegistryService,
    private readonly scopes: ScopesService,
  ) {}

  async list(principal: Principal, name: string): Promise<ScopeGrant[]> {
    await this.registry.getVisible(principal, name);
    return this.prisma.scopeGrant.findMany({
      where: { scope: name },
      orderBy: [{ createdAt: 'asc' }, { consumerOrgNumber: 'asc' }],
    });
  }

  async grant(
    principal: Principal,
    name: string,
    consumer: string,
  ): Promise<{ created: boolean; grant: ScopeGrant }> {
    await this.authorizeWrite(principal, name);
    return this.changes.transaction(async (tx, record) => {
      // grantInTx writes the grant's audit row; the change tells the caches.
      const created = await this.scopes.grantInTx(tx, name, consumer, actorOf(principal));
      if (created) await record({ topic: 'scope', id: name });
      const grant = await tx.scopeGrant.findUniqueOrThrow({
        where: { scope_consumerOrgNumber: { scope: name, consumerOrgNumber: consumer } },
      });
      return { created, grant };
    });
  }

  /** Revokes the grant and, in the same transaction, every delegation of it by that org. */
  async revoke(principal: Principal, name: string, consumer: string): Promise<void> {
    const scope = await this.authorizeWrite(principal, name);
    await this.changes.transaction(async (tx, record) => {
      const { count } = await tx.scopeGrant.deleteMany({
        where: { scope: name, consumerOrgNumber: consumer },
      });
      if (count === 0)
        throw DomainError.notFound(
          ScopeErrors.grantNotFound,
          `Organisation ${consumer} holds no grant of scope '${name}'.`,
        );
      const delegations = await tx.scopeDelegation.findMany({
        where: { scope: name, consumerOrgNumber: consumer },
      });
      await tx.scopeDelegation.deleteMany({ where: { scope: name, consumerOrgNumber: consumer } });
      const actor = actorOf(principal);
      await record({
        topic: 'scope',
        id: name,
        audit: {
          actor,
          action: 'scope-grant.delete',
          objectType: 'scope-grant',
          objectId: grantObjectId(name, consumer),
          ownerOrg: scope.ownerOrgNumber,
          before: { scope: name, consumer_orgno: consumer },
        },
      });
      for (const d of delegations)
        await this.audit.record(tx, {
          actor,
          action: 'scope-delegation.delete',
          objectType: 'scope-delegation',
          objectId: delegationObjectId(name, consumer, d.supplierOrgNumber),
          ownerOrg: consumer,
          before: {
            scope: name,
            consumer_orgno: consumer,
            supplier_orgno: d.supplierOrgNumber,
            reason: 'grant revoked',
          },
        });
    });
  }

  private async authorizeWrite(principal: Principal, name: string): Promise<Scope> {
    const scope = await this.prisma.scope.findUnique({ where: { name } });
    if (!scope) throw notFound(name);
    if (scope.ownerOrgNumber === null) {
      // Platform scopes are the operator's: the admin token alone decides, whoever's org it is.
      if (!hasScopes(principal, Scopes.admin))
        throw new InsufficientScopeError([Scopes.admin], 'all', ScopeErrors.platformGrantNeedsAdmin);
      return scope;
    }
    if (scope.ownerOrgNumber !== principal.consumer) throw notFound(name);
    // The route also admits admin-only tokens (for platform scopes); an owner scope needs .write.
    if (!hasScopes(principal, Scopes.scopesWrite)) throw new InsufficientScopeError([Scopes.scopesWrite]);
    return scope;
  }
}
