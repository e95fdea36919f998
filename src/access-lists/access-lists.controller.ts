import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { ScopedRoute } from '../common/http/owner-scoped.decorators.js';
import { conditionsOf, ListTarget, sendConditional } from './access-list-http.js';
import {
  ConditionalRead,
  ConditionalWrite,
  LIST_READERS,
  NO_SUCH_LIST,
  versioned,
} from './access-list-routes.js';
import { ACCESS_LISTS_PATH } from './access-list.types.js';
import { AccessListsService } from './access-lists.service.js';
import { AccessListInfoDto, AccessListPageDto, UpsertAccessListDto } from './dto/access-list.dto.js';
import { AccessListQueryDto } from './dto/list-query.dto.js';

const VERSIONED_LIST = versioned(AccessListInfoDto);

/** Altinn's access-list API: a service owner's lists of organisations (DESIGN §4.3). */
@ApiTags('access lists')
@Controller(ACCESS_LISTS_PATH.slice(1))
export class AccessListsController {
  constructor(private readonly lists: AccessListsService) {}

  @Get(':owner')
  @ScopedRoute(LIST_READERS, {
    summary: "The owner's access lists, 20 per page, by identifier",
    ok: AccessListPageDto,
    badRequest: 'Bad include/resource/token (problem+json)',
  })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('owner') owner: string,
    @Query() query: AccessListQueryDto,
  ): Promise<AccessListPageDto> {
    return this.lists.listByOwner(principal, owner, query);
  }

  @Get(':owner/:identifier')
  @ConditionalRead({
    summary: 'One access list (ETag/Last-Modified; conditional GET)',
    ok: VERSIONED_LIST,
    notFound: NO_SUCH_LIST,
  })
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
  @ConditionalWrite({
    summary:
      'Create (201) or update (200) an access list; `If-None-Match: *` = create only, `If-Match` = update only',
    created: VERSIONED_LIST,
    ok: VERSIONED_LIST,
  })
  async upsert(
    @ListTarget() { principal, owner, identifier, conditions }: ListTarget,
    @Body() body: UpsertAccessListDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessListInfoDto | undefined> {
    const result = await this.lists.upsert(principal, owner, identifier, body, conditions);
    return sendConditional(reply, result);
  }

  @Delete(':owner/:identifier')
  @HttpCode(200)
  @ConditionalWrite({
    summary: 'Delete an access list with its members and connections',
    ok: { type: AccessListInfoDto, description: 'The deleted list' },
    noContent: 'The list did not exist',
  })
  async delete(
    @ListTarget() { principal, owner, identifier, conditions }: ListTarget,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessListInfoDto | undefined> {
    const deleted = await this.lists.delete(principal, owner, identifier, conditions);
    if (!deleted) {
      void reply.status(204);
      return undefined;
    }
    return deleted;
  }
}
