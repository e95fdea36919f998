import { Injectable } from '@nestjs/common';
import { actorOf } from '../audit/audit.service.js';
import { ChangeLogService } from '../audit/change-log.service.js';
import type { Principal } from '../common/auth/principal.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { ScopeDelegation } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { ScopeErrors } from './scope-errors.js';
import { shareGrant } from './scopes.repository.js';
import { delegationObjectId, toDelegationResponse } from './scope.mapper.js';
import { notFound } from './scope-registry.service.js';

/** The operator scope is never passed on: a supplier acting as platform operator makes no sense. */
const NOT_DELEGABLE_PREFIX = 'consentgw:';

/**
 * A consumer org that holds a grant lets a supplier (its system vendor) ask for tokens for the
 * scope on its behalf (`consumer_org` in the token request → `supplier` claim). The caller is
 * always the consumer: these rows belong to the org that holds the grant.
 */
@Injectable()
export class ScopeDelegationsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly changes: ChangeLogService,
  ) {}

  async list(principal: Principal, scope?: string): Promise<ScopeDelegation[]> {
    return this.prisma.scopeDelegation.findMany({
      where: { consumerOrgNumber: principal.consumer, ...(scope ? { scope } : {}) },
      orderBy: [{ scope: 'asc' }, { createdAt: 'asc' }, { supplierOrgNumber: 'asc' }],
    });
  }

  async get(principal: Principal, scope: string, supplier: string): Promise<ScopeDelegation> {
    const row = await this.prisma.scopeDelegation.findUnique({
      where: {
        scope_consumerOrgNumber_supplierOrgNumber: {
          scope,
          consumerOrgNumber: principal.consumer,
          supplierOrgNumber: supplier,
        },
      },
    });
    if (!row) throw delegationNotFound(scope, supplier);
    return row;
  }

  async put(
    principal: Principal,
    scope: string,
    supplier: string,
  ): Promise<{ created: boolean; delegation: ScopeDelegation }> {
    const consumer = principal.consumer;
    if (supplier === consumer)
      throw new DomainError(
        400,
        ScopeErrors.selfDelegation,
        'An organisation cannot delegate a scope to itself.',
        {
          validationErrors: [
            {
              code: ScopeErrors.selfDelegation,
              title: 'The supplier must be another organisation',
              paths: ['$.supplierOrgNumber'],
            },
          ],
        },
      );
    if (!(await this.prisma.scope.findUnique({ where: { name: scope }, select: { name: true } })))
      throw notFound(scope);
    if (scope.startsWith(NOT_DELEGABLE_PREFIX))
      throw DomainError.forbidden(ScopeErrors.notDelegable, `Scope '${scope}' cannot be delegated.`);
    return this.changes.transaction(async (tx, record) => {
      // FOR SHARE: a concurrent revocation of the grant waits for us, then removes our row too.
      if (!(await shareGrant(tx, scope, consumer)))
        throw DomainError.forbidden(
          ScopeErrors.notGranted,
          `Scope '${scope}' is not granted to organisation ${consumer}, so it cannot be delegated.`,
        );
      const { count } = await tx.scopeDelegation.createMany({
        data: [{ scope, consumerOrgNumber: consumer, supplierOrgNumber: supplier }],
        skipDuplicates: true,
      });
      const delegation = await tx.scopeDelegation.findUniqueOrThrow({
        where: {
          scope_consumerOrgNumber_supplierOrgNumber: {
            scope,
            consumerOrgNumber: consumer,
            supplierOrgNumber: supplier,
          },
        },
      });
      if (count > 0)
        await record({
          topic: 'scope',
          id: scope,
          audit: {
            actor: actorOf(principal),
            action: 'scope-delegation.create',
            objectType: 'scope-delegation',
            objectId: delegationObjectId(scope, consumer, supplier),
            ownerOrg: consumer,
            after: toDelegationResponse(delegation),
          },
        });
      return { created: count > 0, delegation };
    });
  }

  async remove(principal: Principal, scope: string, supplier: string): Promise<void> {
    const consumer = principal.consumer;
    await this.changes.transaction(async (tx, record) => {
      const rows = await tx.scopeDelegation.findMany({
        where: { scope, consumerOrgNumber: consumer, supplierOrgNumber: supplier },
      });
      const { count } = await tx.scopeDelegation.deleteMany({
        where: { scope, consumerOrgNumber: consumer, supplierOrgNumber: supplier },
      });
      if (count === 0 || rows.length === 0) throw delegationNotFound(scope, supplier);
      await record({
        topic: 'scope',
        id: scope,
        audit: {
          actor: actorOf(principal),
          action: 'scope-delegation.delete',
          objectType: 'scope-delegation',
          objectId: delegationObjectId(scope, consumer, supplier),
          ownerOrg: consumer,
          before: toDelegationResponse(rows[0]),
        },
      });
    });
  }
}

function delegationNotFound(scope: string, supplier: string): DomainError {
  return DomainError.notFound(
    ScopeErrors.delegationNotFound,
    `No delegation of scope '${scope}' to organisation ${supplier}.`,
  );
}
