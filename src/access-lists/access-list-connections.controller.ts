import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Req, Res } from '@nestjs/common';
import {
  ApiForbiddenResponse,
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
import { AccessListConnectionsService } from './access-list-connections.service.js';
import {
  ApiConditional,
  conditionsOf,
  sendConditional,
  VERSION_RESPONSE_HEADERS,
} from './access-list-http.js';
import { ACCESS_LISTS_PATH } from './access-list.types.js';
import { AccessListResourceConnectionDto } from './dto/access-list.dto.js';
import { AccessListConnectionsPageDto, UpsertResourceConnectionDto } from './dto/connection.dto.js';
import { PageQueryDto } from './dto/page.dto.js';

/** Which resources an access list governs, and for which actions. */
@ApiTags('access lists')
@Controller(ACCESS_LISTS_PATH.slice(1))
export class AccessListConnectionsController {
  constructor(private readonly connections: AccessListConnectionsService) {}

  @Get(':owner/:identifier/resource-connections')
  @RequireAnyScope(Scopes.accessListRead, Scopes.accessListWrite, Scopes.admin)
  @ApiOperation({ summary: 'Resource connections, 100 per page (token pinned to the list version)' })
  @ApiConditional('read')
  @ApiOkResponse({ type: AccessListConnectionsPageDto, headers: VERSION_RESPONSE_HEADERS })
  @ApiNotFoundResponse({ description: 'No such list for this owner' })
  async page(
    @CurrentPrincipal() principal: Principal,
    @Param('owner') owner: string,
    @Param('identifier') identifier: string,
    @Query() query: PageQueryDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessListConnectionsPageDto | undefined> {
    return sendConditional(
      reply,
      await this.connections.page(principal, owner, identifier, conditionsOf(req), query.token),
    );
  }

  @Put(':owner/:identifier/resource-connections/:resourceIdentifier')
  @RequireScopes(Scopes.accessListWrite)
  @ApiOperation({
    summary: "Connect the list to one of the owner's resources (create or update, idempotent)",
  })
  @ApiConditional('write')
  @ApiOkResponse({ type: AccessListResourceConnectionDto, headers: VERSION_RESPONSE_HEADERS })
  @ApiForbiddenResponse({ description: 'The resource does not exist or belongs to another owner' })
  async upsert(
    @CurrentPrincipal() principal: Principal,
    @Param('owner') owner: string,
    @Param('identifier') identifier: string,
    @Param('resourceIdentifier') resource: string,
    @Body() body: UpsertResourceConnectionDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessListResourceConnectionDto | undefined> {
    const result = await this.connections.upsert(
      principal,
      owner,
      identifier,
      resource,
      body.actionFilters,
      conditionsOf(req),
    );
    return sendConditional(reply, result);
  }

  @Delete(':owner/:identifier/resource-connections/:resourceIdentifier')
  @RequireScopes(Scopes.accessListWrite)
  @HttpCode(200)
  @ApiOperation({ summary: 'Disconnect a resource from the list' })
  @ApiConditional('write')
  @ApiOkResponse({
    type: AccessListResourceConnectionDto,
    description: 'The removed connection',
    headers: VERSION_RESPONSE_HEADERS,
  })
  @ApiNoContentResponse({ description: 'There was no such connection' })
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param('owner') owner: string,
    @Param('identifier') identifier: string,
    @Param('resourceIdentifier') resource: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessListResourceConnectionDto | undefined> {
    const result = await this.connections.delete(principal, owner, identifier, resource, conditionsOf(req));
    if (!result) {
      void reply.status(204);
      return undefined;
    }
    return sendConditional(reply, result);
  }
}
