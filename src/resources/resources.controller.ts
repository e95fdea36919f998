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
import { ApiBody, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Public } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { ApiRoute, ScopedRoute, type Access } from '../common/http/owner-scoped.decorators.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import {
  ResourceBodyDto,
  ResourceDto,
  ResourceIdParamDto,
  ResourceListQueryDto,
  ResourceVersionParamsDto,
  ResourceVersionSummaryDto,
} from './dto/resource.dto.js';
import { ResourceWritesService } from './resource-writes.service.js';
import { ResourcesService } from './resources.service.js';

const BASE = 'resourceregistry/api/v1/resource';
const INVALID = 'Every validation problem, with `$.path`s';
const WRITE: Access = { all: [Scopes.resourceWrite] };

/**
 * Consent resources, Altinn Resource Registry paths (DESIGN §4.2). Reads are public as in Altinn
 * (DESIGN §10); writes need `altinn:resourceregistry/resource.write` and the caller must be the
 * owner named in `hasCompetentAuthority`. Because reads are public, writing to another owner's
 * resource is 403 (its existence is no secret), a resource that does not exist is 404.
 *
 * Bodies are validated by the service (not the global pipe) so field errors and the checks that
 * need the database come back together as one 400.
 */
@ApiTags('resource registry: consent resources')
@Controller(BASE)
export class ResourcesController {
  constructor(
    private readonly resources: ResourcesService,
    private readonly writes: ResourceWritesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @ScopedRoute(WRITE, {
    summary: 'Create a consent resource (caller must be the owner in hasCompetentAuthority)',
    created: { type: ResourceDto, description: 'Created; `Location` names the resource' },
    badRequest: INVALID,
    conflict: 'Identifier already exists (or existed)',
  })
  @ApiBody({ type: ResourceBodyDto })
  async create(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ResourceDto> {
    const created = await this.writes.create(body, principal);
    void reply
      .status(201)
      .header('location', `${this.config.publicUrl}/${BASE}/${encodeURIComponent(created.identifier)}`);
    return created;
  }

  // Public and unfiltered by caller, as in Altinn: a token does not narrow the list (an owner
  // asks for its own with `?owner=<orgcode>`), so the answer never depends on who asks.
  @Get('resourcelist')
  @Public()
  @ApiRoute({
    summary: 'List consent resources that are not deleted (all, or one owner with ?owner=)',
    ok: [ResourceDto],
    badRequest: 'Malformed owner code',
  })
  async list(@Query() query: ResourceListQueryDto): Promise<ResourceDto[]> {
    return this.resources.list(query.owner);
  }

  @Get(':id')
  @Public()
  @ApiRoute({
    summary: 'Get the current version of a consent resource',
    ok: ResourceDto,
    notFound: 'No such resource, or deleted',
  })
  async get(@Param() params: ResourceIdParamDto): Promise<ResourceDto> {
    return this.resources.get(params.id);
  }

  @Put(':id')
  @ScopedRoute(WRITE, {
    summary: 'Replace a consent resource (a new versionId on every change)',
    description:
      'A full replacement, except that read-only members (`versionId`, `version`, `createdAt`, `updatedAt`) ' +
      'are ignored, so a GET body can be edited and sent back, and an omitted `accessListMode` keeps the ' +
      'current mode. There is no conditional PUT (resources send no ETag): the last write wins.',
    ok: ResourceDto,
    badRequest: INVALID,
    notFound: 'No such resource, or deleted',
  })
  @ApiBody({ type: ResourceBodyDto })
  async update(
    @Param() params: ResourceIdParamDto,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ResourceDto> {
    return this.writes.update(params.id, body, principal);
  }

  @Delete(':id')
  @HttpCode(204)
  @ScopedRoute(WRITE, {
    summary: 'Delete a consent resource (soft: its versions stay readable)',
    noContent: 'Deleted',
    notFound: 'No such resource, or already deleted',
    conflict: 'Consent requests reference the resource',
  })
  async remove(@Param() params: ResourceIdParamDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.writes.remove(params.id, principal);
  }

  @Get(':id/versions')
  @Public()
  @ApiRoute({
    summary: 'List the versions of a consent resource, oldest first (also after deletion)',
    ok: [ResourceVersionSummaryDto],
    notFound: 'No such resource',
  })
  async versions(@Param() params: ResourceIdParamDto): Promise<ResourceVersionSummaryDto[]> {
    return this.resources.listVersions(params.id);
  }

  @Get(':id/versions/:versionId')
  @Public()
  @ApiRoute({
    summary: 'Get one version of a consent resource (kept forever)',
    ok: ResourceDto,
    notFound: 'No such version of this resource',
  })
  async version(@Param() params: ResourceVersionParamsDto): Promise<ResourceDto> {
    return this.resources.getVersion(params.id, params.versionId.toLowerCase());
  }
}
