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
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Public, RequireScopes } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import {
  ResourceBodyDto,
  ResourceDto,
  ResourceIdParamDto,
  ResourceListQueryDto,
  ResourceVersionParamsDto,
  ResourceVersionSummaryDto,
} from './dto/resource.dto.js';
import { ResourcesService } from './resources.service.js';

const BASE = 'resourceregistry/api/v1/resource';

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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @RequireScopes(Scopes.resourceWrite)
  @ApiOperation({ summary: 'Create a consent resource (caller must be the owner in hasCompetentAuthority)' })
  @ApiBody({ type: ResourceBodyDto })
  @ApiCreatedResponse({ type: ResourceDto, description: 'Created; `Location` names the resource' })
  @ApiBadRequestResponse({ description: 'Every validation problem, with `$.path`s' })
  @ApiConflictResponse({ description: 'Identifier already exists (or existed)' })
  async create(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ResourceDto> {
    const created = await this.resources.create(body, principal);
    void reply
      .status(201)
      .header('location', `${this.config.publicUrl}/${BASE}/${encodeURIComponent(created.identifier)}`);
    return created;
  }

  /**
   * Public and unfiltered by caller, as in Altinn: a token does not narrow the list (an owner
   * asks for its own with `?owner=<orgcode>`), so the answer never depends on who asks.
   */
  @Get('resourcelist')
  @Public()
  @ApiOperation({ summary: 'List consent resources that are not deleted (all, or one owner with ?owner=)' })
  @ApiOkResponse({ type: [ResourceDto] })
  @ApiBadRequestResponse({ description: 'Malformed owner code' })
  async list(@Query() query: ResourceListQueryDto): Promise<ResourceDto[]> {
    return this.resources.list(query.owner);
  }

  @Get(':id')
  @Public()
  @ApiOperation({ summary: 'Get the current version of a consent resource' })
  @ApiOkResponse({ type: ResourceDto })
  @ApiNotFoundResponse({ description: 'No such resource, or deleted' })
  async get(@Param() params: ResourceIdParamDto): Promise<ResourceDto> {
    return this.resources.get(params.id);
  }

  @Put(':id')
  @RequireScopes(Scopes.resourceWrite)
  @ApiOperation({ summary: 'Replace a consent resource (a new versionId on every change)' })
  @ApiBody({ type: ResourceBodyDto })
  @ApiOkResponse({ type: ResourceDto })
  @ApiBadRequestResponse({ description: 'Every validation problem, with `$.path`s' })
  @ApiNotFoundResponse({ description: 'No such resource, or deleted' })
  @ApiPreconditionFailedResponse({ description: '`versionId` in the body is not the current version' })
  async update(
    @Param() params: ResourceIdParamDto,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ResourceDto> {
    return this.resources.update(params.id, body, principal);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes(Scopes.resourceWrite)
  @ApiOperation({ summary: 'Delete a consent resource (soft: its versions stay readable)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such resource, or already deleted' })
  @ApiConflictResponse({ description: 'Consent requests reference the resource' })
  async remove(@Param() params: ResourceIdParamDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.resources.remove(params.id, principal);
  }

  @Get(':id/versions')
  @Public()
  @ApiOperation({ summary: 'List the versions of a consent resource, oldest first (also after deletion)' })
  @ApiOkResponse({ type: [ResourceVersionSummaryDto] })
  @ApiNotFoundResponse({ description: 'No such resource' })
  async versions(@Param() params: ResourceIdParamDto): Promise<ResourceVersionSummaryDto[]> {
    return this.resources.listVersions(params.id);
  }

  @Get(':id/versions/:versionId')
  @Public()
  @ApiOperation({ summary: 'Get one version of a consent resource (kept forever)' })
  @ApiOkResponse({ type: ResourceDto })
  @ApiNotFoundResponse({ description: 'No such version of this resource' })
  async version(@Param() params: ResourceVersionParamsDto): Promise<ResourceDto> {
    return this.resources.getVersion(params.id, params.versionId.toLowerCase());
  }
}
