import { Injectable } from '@nestjs/common';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { DomainError } from '../common/errors/domain-error.js';
import { INVALID_VALUE } from '../common/errors/validation-errors.js';
import { isValidOrgNumber } from '../common/identifiers/org-number.js';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service.js';
import { isPlatformPrefix } from './scope-names.js';
import { ScopeErrors } from './scope-errors.js';
import { grantObjectId, toScopeView, type ScopeView } from './scope.mapper.js';

export type { ScopeView } from './scope.mapper.js';

/**
 * What other contexts ask of the scope registry (tokens, access requests, guide, gateway).
 *
 * Fail closed: `isGranted`, `grantedScopes` and `isDelegated` count only *active* scopes, so
 * deactivating a scope stops token issuance at once even if a caller forgets to look at
 * `getScope(...).active`. Platform scopes count as granted only through an explicit grant row,
 * like any other scope. Nothing here checks who is asking: callers authorise first.
 */
@Injectable()
export class ScopesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  async getScope(name: string): Promise<ScopeView | null> {
    if (typeof name !== 'string' || name.length === 0) return null;
    const row = await this.prisma.scope.findUnique({ where: { name } });
    return row ? toScopeView(row) : null;
  }

  /**
   * Of `names` (scope names), those an organisation may not name as its own, each with the
   * reason: the scope exists and another organisation (or the platform) owns it, or its prefix
   * is claimed by another organisation or reserved for the platform. A name whose prefix nobody
   * has claimed yet is the org's to claim (it may register a resource before its scopes), so it
   * is not listed. The resource registry asks this for `resourceReferences` (RT3-8).
   */
  async notOwnedBy(names: string[], orgNumber: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (names.length === 0) return out;
    const prefixOf = (name: string) => name.slice(0, Math.max(0, name.indexOf(':')));
    const [scopes, prefixes] = await Promise.all([
      this.prisma.scope.findMany({
        where: { name: { in: names } },
        select: { name: true, ownerOrgNumber: true },
      }),
      this.prisma.scopePrefix.findMany({
        where: { prefix: { in: [...new Set(names.map(prefixOf))] } },
        select: { prefix: true, ownerOrgNumber: true },
      }),
    ]);
    const scopeOwner = new Map(scopes.map((r) => [r.name, r.ownerOrgNumber]));
    const prefixOwner = new Map(prefixes.map((r) => [r.prefix, r.ownerOrgNumber]));
    for (const name of names) {
      const prefix = prefixOf(name);
      if (isPlatformPrefix(prefix) || (prefixOwner.has(prefix) && prefixOwner.get(prefix) === null))
        out.set(name, `Scope '${name}' has a prefix reserved for the platform ('${prefix}')`);
      else if (scopeOwner.has(name) && scopeOwner.get(name) !== orgNumber)
        out.set(name, `Scope '${name}' belongs to another organisation`);
      else if (prefixOwner.has(prefix) && prefixOwner.get(prefix) !== orgNumber)
        out.set(name, `The scope prefix '${prefix}' of '${name}' belongs to another organisation`);
    }
    return out;
  }

  async isGranted(scope: string, orgNumber: string): Promise<boolean> {
    const n = await this.prisma.scopeGrant.count({
      where: { scope, consumerOrgNumber: orgNumber, scopeRef: { active: true } },
    });
    return n > 0;
  }

  /** Names of the active scopes granted to the org, sorted. */
  async grantedScopes(orgNumber: string): Promise<string[]> {
    const rows = await this.prisma.scopeGrant.findMany({
      where: { consumerOrgNumber: orgNumber, scopeRef: { active: true } },
      select: { scope: true },
      orderBy: { scope: 'asc' },
    });
    return rows.map((r) => r.scope);
  }

  /**
   * True when `consumer` lets `supplier` ask for tokens for `scope` on its behalf, and still
   * holds an active grant of it (a delegation never outlives the grant it passes on).
   */
  async isDelegated(scope: string, consumerOrgNumber: string, supplierOrgNumber: string): Promise<boolean> {
    const [delegation, granted] = await Promise.all([
      this.prisma.scopeDelegation.count({
        where: { scope, consumerOrgNumber, supplierOrgNumber },
      }),
      this.isGranted(scope, consumerOrgNumber),
    ]);
    return delegation > 0 && granted;
  }

  /**
   * Grants `scope` to `orgNumber` inside the caller's transaction, with its audit row.
   * Idempotent: false when the grant existed already (nothing written). The caller has already
   * decided that `actor` may grant the scope (e.g. the owner approving an access request).
   * Throws 404 SCP-00001 for an unknown scope and 400 for an invalid org number.
   * Nothing caches grants, so there is no change event to publish.
   */
  async grantInTx(tx: PrismaTx, scope: string, orgNumber: string, actor: AuditActor): Promise<boolean> {
    if (!isValidOrgNumber(orgNumber))
      throw DomainError.validation([
        {
          code: INVALID_VALUE,
          title: 'Not a valid Norwegian organisation number',
          paths: ['$.consumerOrgNumber'],
        },
      ]);
    const row = await tx.scope.findUnique({ where: { name: scope } });
    if (!row) throw DomainError.notFound(ScopeErrors.notFound, `Scope '${scope}' does not exist.`);
    const { count } = await tx.scopeGrant.createMany({
      data: [{ scope, consumerOrgNumber: orgNumber }],
      skipDuplicates: true,
    });
    if (count === 0) return false;
    await this.audit.record(tx, {
      actor,
      action: 'scope-grant.create',
      objectType: 'scope-grant',
      objectId: grantObjectId(scope, orgNumber),
      ownerOrg: row.ownerOrgNumber,
      after: { scope, consumer_orgno: orgNumber },
    });
    return true;
  }
}
