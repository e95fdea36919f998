import type { Scope, ScopeDelegation, ScopeGrant } from '../generated/prisma/client.js';
import type { DelegationResponseDto, GrantResponseDto } from './dto/grant.dto.js';
import type { ScopeResponseDto } from './dto/scope.dto.js';

/**
 * What other contexts see of a scope (tokens, access requests, guide). `atMaxAge` caps the
 * lifetime (seconds, 120..3600) of a token carrying the scope; null = the issuer's default.
 */
export interface ScopeView {
  name: string;
  prefix: string;
  subscope: string;
  /** null for platform scopes (`altinn:*`, `idporten:*`, `consentgw:*`). */
  ownerOrgNumber: string | null;
  description: string;
  atMaxAge: number | null;
  active: boolean;
  allowedIntegrationTypes: string[];
  tokenType: string;
}

export function toScopeView(row: Scope): ScopeView {
  return {
    name: row.name,
    prefix: row.prefix,
    subscope: row.subscope,
    ownerOrgNumber: row.ownerOrgNumber,
    description: row.description,
    atMaxAge: row.atMaxAge,
    active: row.active,
    allowedIntegrationTypes: [...row.allowedIntegrationTypes],
    tokenType: row.tokenType,
  };
}

export function toScopeResponse(row: Scope): ScopeResponseDto {
  return {
    name: row.name,
    prefix: row.prefix,
    subscope: row.subscope,
    description: row.description,
    allowed_integration_types: [...row.allowedIntegrationTypes],
    token_type: row.tokenType,
    at_max_age: row.atMaxAge,
    active: row.active,
    owner_orgno: row.ownerOrgNumber,
    created: row.createdAt.toISOString(),
    last_updated: row.updatedAt.toISOString(),
  };
}

export function toGrantResponse(row: ScopeGrant): GrantResponseDto {
  return { scope: row.scope, consumer_orgno: row.consumerOrgNumber, created: row.createdAt.toISOString() };
}

export function toDelegationResponse(row: ScopeDelegation): DelegationResponseDto {
  return {
    scope: row.scope,
    consumer_orgno: row.consumerOrgNumber,
    supplier_orgno: row.supplierOrgNumber,
    created: row.createdAt.toISOString(),
  };
}

/** Audit object ids for rows with composite keys (`|` never occurs in scope names or org numbers). */
export const grantObjectId = (scope: string, consumer: string): string => `${scope}|${consumer}`;
export const delegationObjectId = (scope: string, consumer: string, supplier: string): string =>
  `${scope}|${consumer}|${supplier}`;
