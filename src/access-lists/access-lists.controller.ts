import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, RequireAnyScope, RequireScopes } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import {
  ApiConditional,
  conditionsOf,
  sendConditional,
  VERSION_RESPONSE_HEADERS,
} from './access-list-http.js';
import { ACCESS_LISTS_PATH } from './access-list.types.js';
import { AccessListsService } from './access-lists.service.js';
import { AccessListInfoDto, AccessListPageDto, UpsertAccessListDto } from './dto/access-list.dto.js';
import { AccessListQueryDto } from './dto/list-query.dto.js';

/** Altinn's access-list API: a service owner's lists of organisations (DESIGN §4.3). */
@ApiTags('access lists')
@Controller(ACCESS_LISTS_PATH.slice(1))
export class AccessListsController {
  constructor(private readonly lists: AccessListsService) {}

  @Get(':owner')
  @RequireAnyScope(Scopes.accessListRead, Scopes.accessListWrite, Scopes.admin)
  @ApiOperation({ summary: "The owner's access lists, 20 per page, by identifier" })
  @ApiOkResponse({ type: AccessListPageDto })
  @ApiBadRequestResponse({ description: 'Bad include/resource/token (problem+json)' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('owner') owner: string,
    @Query() query: AccessListQueryDto,
  ): Promise<AccessListPageDto> {
    return this.lists.listByOwner(principal, owner, query);
  }

  @Get(':owner/:identifier')
  @RequireAnyScope(Scopes.accessListRead, Scopes.accessListWrite, Scopes.admin)
  @ApiOperation({ summary: 'One access list (ETag/Last-Modified; conditional GET)' })
  @ApiConditional('read')
  @ApiOkResponse({ type: AccessListInfoDto, headers: VERSION_RESPONSE_HEADERS })
  @ApiNotFoundResponse({ description: 'No such list for this owner' })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('owner') owner: string,
    @Param('identifier') identifier: string,
    @Query() query: AccessListQueryDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessListInfoDto | undefined> {
    const result = await this.lists.get(principal, owner, identifier, conditionsOf(req), {
      include: query.include,
      resource: query.resource,
    });
    return sendConditional(reply, result);
  }

  @Put(':owner/:identifier')
  @RequireScopes(Scopes.accessListWrite)
  @ApiOperation({
    summary:
      'Create (201) or update (200) an access list; `If-None-Match: *` = create only, `If-Match` = update only',
  })
  @ApiConditional('write')
  @ApiCreatedResponse({ type: AccessListInfoDto, headers: VERSION_RESPONSE_HEADERS })
  @ApiOkResponse({ type: AccessListInfoDto, headers: VERSION_RESPONSE_HEADERS })
  async upsert(
    @CurrentPrincipal() principal: Principal,
    @Param('owner') owner: string,
    @Param('identifier') identifier: string,
    @Body() body: UpsertAccessListDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessListInfoDto | undefined> {
    const result = await this.lists.upsert(principal, owner, identifier, body, conditionsOf(req));
    return sendConditional(reply, result);
  }

  @Delete(':owner/:identifier')
  @RequireScopes(Scopes.accessListWrite)
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete an access list with its members and connections' })
  @ApiConditional('write')
  @ApiOkResponse({ type: AccessListInfoDto, description: 'The deleted list' })
  @ApiNoContentResponse({ description: 'The list did not exist' })
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param('owner') owner: string,
    @Param('identifier') identifier: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessListInfoDto | undefined> {
    const deleted = await this.lists.delete(principal, owner, identifier, conditionsOf(req));
    if (!deleted) {
      void reply.status(204);
      return undefined;
    }
    return deleted;
  }
}
