import { Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { ScopedRoute, type Access } from '../common/http/owner-scoped.decorators.js';
import { DelegationResponseDto, SupplierOrgParamsDto } from './dto/grant.dto.js';
import { OptionalScopeQueryDto, ScopeQueryDto } from './dto/scope.dto.js';
import { ScopeDelegationsService } from './scope-delegations.service.js';
import { toDelegationResponse } from './scope.mapper.js';

const NO_DELEGATION = 'No such delegation (SCP-00008).';
const READ: Access = { any: [Scopes.scopesRead, Scopes.scopesWrite] };
const WRITE: Access = { all: [Scopes.scopesWrite] };

/**
 * The caller's org (a consumer holding a grant) lets a supplier org ask for tokens on its
 * behalf: the supplier's client sends `consumer_org=<caller>` to `/token`.
 */
@ApiTags('Scopes')
@Controller('api/v1/scopes/delegations')
export class ScopeDelegationsController {
  constructor(private readonly delegations: ScopeDelegationsService) {}

  @Get()
  @ScopedRoute(READ, {
    summary: 'List the caller’s delegations to suppliers (optionally for one ?scope=)',
    ok: [DelegationResponseDto],
  })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: OptionalScopeQueryDto,
  ): Promise<DelegationResponseDto[]> {
    return (await this.delegations.list(principal, query.scope)).map(toDelegationResponse);
  }

  @Get(':supplierOrgNumber')
  @ScopedRoute(READ, {
    summary: 'Read one delegation (?scope=)',
    ok: DelegationResponseDto,
    notFound: NO_DELEGATION,
  })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param() params: SupplierOrgParamsDto,
    @Query() query: ScopeQueryDto,
  ): Promise<DelegationResponseDto> {
    return toDelegationResponse(await this.delegations.get(principal, query.scope, params.supplierOrgNumber));
  }

  @Put(':supplierOrgNumber')
  @ScopedRoute(WRITE, {
    summary: 'Delegate a granted scope to a supplier org (?scope=)',
    description:
      '201 when new, 200 when it existed. The caller’s org must hold a grant of the scope (403 SCP-00007); ' +
      '`consentgw:*` scopes are never delegated (403 SCP-00011); revoking the grant removes the delegation.',
    created: { type: DelegationResponseDto, description: 'Delegated now.' },
    ok: { type: DelegationResponseDto, description: 'Was delegated already.' },
    notFound: 'No such scope (SCP-00001).',
    badRequest: 'Invalid org number, scope name, or supplier = caller (SCP-00009).',
  })
  async put(
    @CurrentPrincipal() principal: Principal,
    @Param() params: SupplierOrgParamsDto,
    @Query() query: ScopeQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DelegationResponseDto> {
    const { created, delegation } = await this.delegations.put(
      principal,
      query.scope,
      params.supplierOrgNumber,
    );
    void reply.status(created ? 201 : 200);
    return toDelegationResponse(delegation);
  }

  @Delete(':supplierOrgNumber')
  @HttpCode(204)
  @ScopedRoute(WRITE, {
    summary: 'Withdraw a delegation (?scope=)',
    noContent: 'Withdrawn.',
    notFound: NO_DELEGATION,
  })
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param() params: SupplierOrgParamsDto,
    @Query() query: ScopeQueryDto,
  ): Promise<void> {
    await this.delegations.remove(principal, query.scope, params.supplierOrgNumber);
  }
}
