import { Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { ScopedRoute, type Access } from '../common/http/owner-scoped.decorators.js';
import { ConsumerOrgParamsDto, GrantResponseDto } from './dto/grant.dto.js';
import { ScopeQueryDto } from './dto/scope.dto.js';
import { ScopeGrantsService } from './scope-grants.service.js';
import { toGrantResponse } from './scope.mapper.js';

const NO_SCOPE = 'No such scope for this caller (SCP-00001).';
const READ: Access = { any: [Scopes.scopesRead, Scopes.scopesWrite, Scopes.admin] };
const WRITE: Access = { any: [Scopes.scopesWrite, Scopes.admin] };

/**
 * Maskinporten `/scopes/access`: which consumer orgs may ask for tokens with a scope.
 * Writes admit `consentgw:admin` alone because platform scopes are granted with that token
 * (DESIGN §10); the service still demands `idporten:scopes.write` for an owner's own scopes.
 */
@ApiTags('Scopes')
@Controller('api/v1/scopes/access')
export class ScopeAccessController {
  constructor(private readonly grants: ScopeGrantsService) {}

  @Get()
  @ScopedRoute(READ, {
    summary: 'List the orgs a scope is granted to (?scope=)',
    ok: [GrantResponseDto],
    notFound: NO_SCOPE,
  })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ScopeQueryDto,
  ): Promise<GrantResponseDto[]> {
    return (await this.grants.list(principal, query.scope)).map(toGrantResponse);
  }

  @Put(':consumerOrgNumber')
  @ScopedRoute(WRITE, {
    summary: 'Grant a scope to an org (?scope=)',
    description:
      '201 when the grant is new, 200 when it existed. Owner scopes: the owner with `idporten:scopes.write`. ' +
      'Platform scopes: a `consentgw:admin` token (403 SCP-00005 otherwise).',
    created: { type: GrantResponseDto, description: 'Granted now.' },
    ok: { type: GrantResponseDto, description: 'Was granted already.' },
    notFound: NO_SCOPE,
    badRequest: 'Invalid org number or scope name.',
  })
  async grant(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ConsumerOrgParamsDto,
    @Query() query: ScopeQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<GrantResponseDto> {
    const { created, grant } = await this.grants.grant(principal, query.scope, params.consumerOrgNumber);
    void reply.status(created ? 201 : 200);
    return toGrantResponse(grant);
  }

  @Delete(':consumerOrgNumber')
  @HttpCode(204)
  @ScopedRoute(WRITE, {
    summary: 'Revoke a grant (?scope=)',
    description: 'Also removes the org’s delegations of the scope to suppliers.',
    noContent: 'Revoked.',
    notFound: 'No such scope for this caller (SCP-00001), or no grant (SCP-00006).',
  })
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ConsumerOrgParamsDto,
    @Query() query: ScopeQueryDto,
  ): Promise<void> {
    await this.grants.revoke(principal, query.scope, params.consumerOrgNumber);
  }
}
