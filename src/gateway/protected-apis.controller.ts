import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequireAnyScope, RequireScopes } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import {
  ApiNameParamDto,
  ProtectedApiBodyDto,
  ProtectedApiDto,
  ProtectedApiPageDto,
  UsagePageDto,
  UsageQueryDto,
} from './dto/protected-api.dto.js';
import { ProtectedApisService } from './protected-apis.service.js';

const BASE = 'admin/v1/apis';

/**
 * Protected APIs (DESIGN §4.9): the service owner registers what the gateway forwards to and
 * which scopes and consents it demands. Owner-scoped: the caller's org owns what it creates and
 * sees only its own (another owner's API is 404). Changes reach every replica within a second.
 */
@ApiTags('gateway: protected APIs')
@Controller(BASE)
export class ProtectedApisController {
  constructor(
    private readonly apis: ProtectedApisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @RequireScopes(Scopes.resourceWrite)
  @ApiOperation({ summary: 'Register a protected API (its consent resources must be the caller’s)' })
  @ApiCreatedResponse({ type: ProtectedApiDto, description: 'Created; `Location` names it' })
  @ApiBadRequestResponse({ description: 'Every validation problem, with `$.path`s' })
  @ApiConflictResponse({ description: 'The name is taken' })
  async create(
    @Body() body: ProtectedApiBodyDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProtectedApiDto> {
    const created = await this.apis.create(principal, body);
    void reply.status(201).header('location', `${this.config.publicUrl}/${BASE}/${created.name}`);
    return created;
  }

  @Get()
  @RequireAnyScope(Scopes.resourceWrite, Scopes.resourceRead, Scopes.admin)
  @ApiOperation({ summary: 'The caller’s protected APIs (the operator sees all)' })
  @ApiOkResponse({ type: ProtectedApiPageDto })
  async list(@CurrentPrincipal() principal: Principal): Promise<ProtectedApiPageDto> {
    return { links: { next: null }, data: await this.apis.list(principal) };
  }

  @Get(':name')
  @RequireAnyScope(Scopes.resourceWrite, Scopes.resourceRead, Scopes.admin)
  @ApiOperation({ summary: 'One protected API' })
  @ApiOkResponse({ type: ProtectedApiDto })
  @ApiNotFoundResponse({ description: 'No such API for this owner' })
  async get(@Param() p: ApiNameParamDto, @CurrentPrincipal() principal: Principal): Promise<ProtectedApiDto> {
    return this.apis.get(principal, p.name);
  }

  @Put(':name')
  @RequireScopes(Scopes.resourceWrite)
  @ApiOperation({
    summary: 'Replace a protected API’s settings (omitted optional fields return to their defaults)',
  })
  @ApiOkResponse({ type: ProtectedApiDto })
  @ApiBadRequestResponse({ description: 'Every validation problem, with `$.path`s' })
  @ApiNotFoundResponse({ description: 'No such API for this owner' })
  async update(
    @Param() p: ApiNameParamDto,
    @Body() body: ProtectedApiBodyDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ProtectedApiDto> {
    return this.apis.update(principal, p.name, body);
  }

  @Delete(':name')
  @HttpCode(204)
  @RequireScopes(Scopes.resourceWrite)
  @ApiOperation({ summary: 'Remove a protected API (calls to it answer 404 at once)' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ description: 'No such API for this owner' })
  async remove(@Param() p: ApiNameParamDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.apis.remove(principal, p.name);
  }

  @Get(':name/usage')
  @RequireAnyScope(Scopes.resourceWrite, Scopes.resourceRead, Scopes.admin)
  @ApiOperation({ summary: 'Calls per minute, consumer, consent and outcome' })
  @ApiOkResponse({ type: UsagePageDto })
  @ApiNotFoundResponse({ description: 'No such API for this owner' })
  async usage(
    @Param() p: ApiNameParamDto,
    @Query() q: UsageQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UsagePageDto> {
    return { links: { next: null }, data: await this.apis.usage(principal, p.name, q.from, q.to) };
  }
}
