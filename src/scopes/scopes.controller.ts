import { Body, Controller, Get, HttpCode, Post, Put, Query, Res } from '@nestjs/common';
import { ApiExtraModels, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { ScopedRoute, type Access } from '../common/http/owner-scoped.decorators.js';
import {
  CreateScopeDto,
  OptionalScopeQueryDto,
  ScopeQueryDto,
  ScopeResponseDto,
  UpdateScopeDto,
} from './dto/scope.dto.js';
import { ScopeRegistryService } from './scope-registry.service.js';
import { toScopeResponse } from './scope.mapper.js';

const NO_SCOPE = 'No such scope for this caller (SCP-00001).';
const READ: Access = { any: [Scopes.scopesRead, Scopes.scopesWrite, Scopes.admin] };
const WRITE: Access = { all: [Scopes.scopesWrite] };

/** Maskinporten self-service `/scopes`. `.write` implies `.read`, as in Maskinporten. */
@ApiTags('Scopes')
@ApiExtraModels(ScopeResponseDto)
@Controller('api/v1/scopes')
export class ScopesController {
  constructor(private readonly registry: ScopeRegistryService) {}

  @Get()
  @ScopedRoute(READ, {
    summary: 'List the caller’s scopes, or read one with ?scope=',
    description:
      'Without `scope`: the scopes the caller’s org owns (`consentgw:admin`: every scope, platform scopes included). ' +
      'With `scope`: that one scope; 404 when it is not the caller’s (admin: any scope).',
    ok: {
      schema: {
        oneOf: [
          { type: 'array', items: { $ref: getSchemaPath(ScopeResponseDto) } },
          { $ref: getSchemaPath(ScopeResponseDto) },
        ],
      },
    },
    notFound: NO_SCOPE,
    badRequest: 'Invalid query.',
  })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: OptionalScopeQueryDto,
  ): Promise<ScopeResponseDto | ScopeResponseDto[]> {
    if (query.scope !== undefined)
      return toScopeResponse(await this.registry.getVisible(principal, query.scope));
    return (await this.registry.list(principal)).map(toScopeResponse);
  }

  @Post()
  @HttpCode(201)
  @ScopedRoute(WRITE, {
    summary: 'Create a scope `<prefix>:<subscope>`',
    description:
      'The first org to use a prefix owns it; another org gets 403 (SCP-00003). The platform prefixes ' +
      '`altinn`, `idporten` and `consentgw` are refused (403 SCP-00002). An existing name is 409 (SCP-00004).',
    created: ScopeResponseDto,
    badRequest: 'Invalid body (validationErrors).',
    conflict: 'The scope exists already (SCP-00004).',
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateScopeDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScopeResponseDto> {
    const row = await this.registry.create(principal, body);
    void reply.header('Location', `/api/v1/scopes?scope=${encodeURIComponent(row.name)}`);
    return toScopeResponse(row);
  }

  @Put()
  @ScopedRoute(WRITE, {
    summary: 'Update a scope (?scope=)',
    description:
      'Changes `description`, `allowed_integration_types`, `at_max_age` and `active`; omitted fields keep their value. ' +
      'Only the owner; platform scopes are read-only (403 SCP-00010).',
    ok: ScopeResponseDto,
    notFound: NO_SCOPE,
    badRequest: 'Invalid body or query (validationErrors).',
  })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ScopeQueryDto,
    @Body() body: UpdateScopeDto,
  ): Promise<ScopeResponseDto> {
    return toScopeResponse(await this.registry.update(principal, query.scope, body));
  }
}
