/**
 * Who may touch `/access-lists/{owner}` (DESIGN §3): the service owner itself (its org number is
 * the token's `consumer`), and for reads also the platform operator (`consentgw:admin`, read-only).
 * An owner code we do not know is a 403 like any other owner's, so the answer does not reveal
 * which owner codes exist — except to the operator, who may see everything anyway.
 */
import { Injectable } from '@nestjs/common';
import { hasAnyScope, type Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service.js';
import { AccessListErrors } from './access-list.errors.js';
import { assertListIdentifier } from './access-list.validation.js';

export interface OwnerRef {
  orgcode: string;
  orgNumber: string;
}

export type AccessMode = 'read' | 'write';

@Injectable()
export class AccessListOwnerGate {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The owner, when the principal may act on its lists in `mode`; null only for the operator
   * reading an owner code that does not exist. Otherwise throws 403.
   */
  async authorize(principal: Principal, orgcode: string, mode: AccessMode): Promise<OwnerRef | null> {
    const owner = /^[a-z0-9][a-z0-9-]{0,49}$/.test(orgcode)
      ? await this.prisma.owner.findUnique({ where: { orgcode }, select: { orgcode: true, orgNumber: true } })
      : null;
    const isOwner = !!owner && owner.orgNumber === principal.consumer;
    if (mode === 'write') {
      if (isOwner && principal.scopes.has(Scopes.accessListWrite)) return owner;
      throw AccessListErrors.notYourOwner();
    }
    if (isOwner && hasAnyScope(principal, Scopes.accessListRead, Scopes.accessListWrite)) return owner;
    if (principal.scopes.has(Scopes.admin)) return owner;
    throw AccessListErrors.notYourOwner();
  }

  /** The owner of a list the principal writes (403 unless theirs), after checking the identifier (400). */
  async authorizeWrite(principal: Principal, orgcode: string, identifier: string): Promise<OwnerRef> {
    const owner = await this.authorize(principal, orgcode, 'write');
    if (!owner) throw AccessListErrors.notYourOwner();
    assertListIdentifier(identifier);
    return owner;
  }

  /**
   * For calls from other contexts (no principal): the owner with this org number and the list it
   * names by identifier or URN. A URN of another owner, or no such owner, is a 403.
   */
  async resolveInTransaction(
    tx: PrismaTx,
    ownerOrgNumber: string,
    list: string,
  ): Promise<{ owner: OwnerRef; identifier: string }> {
    const owner = await tx.owner.findUnique({
      where: { orgNumber: ownerOrgNumber },
      select: { orgcode: true, orgNumber: true },
    });
    if (!owner) throw AccessListErrors.notYourOwner();
    let identifier = list;
    const urn = /^urn:altinn:access-list:([^:]+):(.+)$/.exec(list);
    if (urn) {
      if (urn[1] !== owner.orgcode) throw AccessListErrors.notYourOwner();
      identifier = urn[2];
    }
    assertListIdentifier(identifier);
    return { owner, identifier };
  }
}
