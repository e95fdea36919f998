import { Body, Controller, Get, HttpCode, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequireAnyScope, RequireScopes } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import {
  CreateScopeDto,
  OptionalScopeQueryDto,
  ScopeQueryDto,
  ScopeResponseDto,
  UpdateScopeDto,
} from './dto/scope.dto.js';
import { ScopeRegistryService } from './scope-registry.service.js';
import { toScopeResponse } from './scope.mapper.js';

/** Maskinporten self-service `/scopes`. `.write` implies `.read`, as in Maskinporten. */
@ApiTags('Scopes')
@ApiExtraModels(ScopeResponseDto)
@Controller('api/v1/scopes')
export class ScopesController {
  constructor(private readonly registry: ScopeRegistryService) {}

  @Get()
  @RequireAnyScope(Scopes.scopesRead, Scopes.scopesWrite, Scopes.admin)
  @ApiOperation({
    summary: 'List the caller’s scopes, or read one with ?scope=',
    description:
      'Without `scope`: the scopes the caller’s org owns (`consentgw:admin`: every scope, platform scopes included). ' +
      'With `scope`: that one scope; 404 when it is not the caller’s (admin: any scope).',
  })
  @ApiOkResponse({
    schema: {
      oneOf: [
        { type: 'array', items: { $ref: getSchemaPath(ScopeResponseDto) } },
        { $ref: getSchemaPath(ScopeResponseDto) },
      ],
    },
  })
  @ApiNotFoundResponse({ description: 'No such scope for this caller (SCP-00001).' })
  @ApiBadRequestResponse({ description: 'Invalid query.' })
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
  @RequireScopes(Scopes.scopesWrite)
  @ApiOperation({
    summary: 'Create a scope `<prefix>:<subscope>`',
    description:
      'The first org to use a prefix owns it; another org gets 403 (SCP-00003). The platform prefixes ' +
      '`altinn`, `idporten` and `consentgw` are refused (403 SCP-00002). An existing name is 409 (SCP-00004).',
  })
  @ApiCreatedResponse({ type: ScopeResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid body (validationErrors).' })
  @ApiConflictResponse({ description: 'The scope exists already (SCP-00004).' })
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
  @RequireScopes(Scopes.scopesWrite)
  @ApiOperation({
    summary: 'Update a scope (?scope=)',
    description:
      'Changes `description`, `allowed_integration_types`, `at_max_age` and `active`; omitted fields keep their value. ' +
      'Only the owner; platform scopes are read-only (403 SCP-00010).',
  })
  @ApiOkResponse({ type: ScopeResponseDto })
  @ApiNotFoundResponse({ description: 'No such scope for this caller (SCP-00001).' })
  @ApiBadRequestResponse({ description: 'Invalid body or query (validationErrors).' })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ScopeQueryDto,
    @Body() body: UpdateScopeDto,
  ): Promise<ScopeResponseDto> {
    return toScopeResponse(await this.registry.update(principal, query.scope, body));
  }
}
