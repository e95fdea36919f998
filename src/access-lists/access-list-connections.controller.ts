import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { AccessListConnectionsService } from './access-list-connections.service.js';
import { conditionsOf, sendConditional } from './access-list-http.js';
import { ConditionalRead, ConditionalWrite, NO_SUCH_LIST, versioned } from './access-list-routes.js';
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
  @ConditionalRead({
    summary: 'Resource connections, 100 per page (token pinned to the list version)',
    ok: versioned(AccessListConnectionsPageDto),
    notFound: NO_SUCH_LIST,
  })
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
  @ConditionalWrite({
    summary: "Connect the list to one of the owner's resources (create or update, idempotent)",
    ok: versioned(AccessListResourceConnectionDto),
    forbidden: 'The resource does not exist or belongs to another owner',
  })
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
  @HttpCode(200)
  @ConditionalWrite({
    summary: 'Disconnect a resource from the list',
    ok: versioned(AccessListResourceConnectionDto, 'The removed connection'),
    noContent: 'There was no such connection',
  })
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
