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
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { ScopedRoute, type Access } from '../common/http/owner-scoped.decorators.js';
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
const NOT_FOUND = 'No such API for this owner';
const INVALID = 'Every validation problem, with `$.path`s';
const READ: Access = { any: [Scopes.resourceWrite, Scopes.resourceRead, Scopes.admin] };
const WRITE: Access = { all: [Scopes.resourceWrite] };

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
  @ScopedRoute(WRITE, {
    summary: 'Register a protected API (its consent resources must be the caller’s)',
    created: { type: ProtectedApiDto, description: 'Created; `Location` names it' },
    badRequest: INVALID,
    conflict: 'The name is taken',
  })
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
  @ScopedRoute(READ, {
    summary: 'The caller’s protected APIs (the operator sees all)',
    ok: ProtectedApiPageDto,
  })
  async list(@CurrentPrincipal() principal: Principal): Promise<ProtectedApiPageDto> {
    return { links: { next: null }, data: await this.apis.list(principal) };
  }

  @Get(':name')
  @ScopedRoute(READ, { summary: 'One protected API', ok: ProtectedApiDto, notFound: NOT_FOUND })
  async get(@Param() p: ApiNameParamDto, @CurrentPrincipal() principal: Principal): Promise<ProtectedApiDto> {
    return this.apis.get(principal, p.name);
  }

  @Put(':name')
  @ScopedRoute(WRITE, {
    summary: 'Replace a protected API’s settings (omitted optional fields return to their defaults)',
    ok: ProtectedApiDto,
    badRequest: INVALID,
    notFound: NOT_FOUND,
  })
  async update(
    @Param() p: ApiNameParamDto,
    @Body() body: ProtectedApiBodyDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ProtectedApiDto> {
    return this.apis.update(principal, p.name, body);
  }

  @Delete(':name')
  @HttpCode(204)
  @ScopedRoute(WRITE, {
    summary: 'Remove a protected API (calls to it answer 404 at once)',
    noContent: 'Removed',
    notFound: NOT_FOUND,
  })
  async remove(@Param() p: ApiNameParamDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.apis.remove(principal, p.name);
  }

  @Get(':name/usage')
  @ScopedRoute(READ, {
    summary: 'Calls per minute, consumer, consent and outcome',
    ok: UsagePageDto,
    notFound: NOT_FOUND,
  })
  async usage(
    @Param() p: ApiNameParamDto,
    @Query() q: UsageQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UsagePageDto> {
    return { links: { next: null }, data: await this.apis.usage(principal, p.name, q.from, q.to) };
  }
}
