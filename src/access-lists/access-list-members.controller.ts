import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { DomainError } from '../common/errors/domain-error.js';
import { OrganizationNamesService } from '../owners/organization-names.service.js';
import { AccessListMembersService, type MembersOperation } from './access-list-members.service.js';
import { conditionsOf, ListTarget, sendConditional } from './access-list-http.js';
import { ConditionalRead, ConditionalWrite, NO_SUCH_LIST, versioned } from './access-list-routes.js';
import { ACCESS_LISTS_PATH, type Conditional, type Page } from './access-list.types.js';
import { memberUrnsFromCsv } from './member-csv.js';
import { AccessListMembersPageDto, UpsertMembersDto, type AccessListMemberDto } from './dto/members.dto.js';
import { PageQueryDto } from './dto/page.dto.js';

const TOO_MANY_OR_INVALID = 'More than 100 entries or an invalid party URN; nothing changed';
const WRITTEN = versioned(AccessListMembersPageDto, 'The first page of the members after the change');

/** Members of an access list: organisations as party URNs (DESIGN §4.3, §10). */
@ApiTags('access lists')
@Controller(ACCESS_LISTS_PATH.slice(1))
export class AccessListMembersController {
  constructor(
    private readonly members: AccessListMembersService,
    private readonly names: OrganizationNamesService,
  ) {}

  /** Members carry the organisation's name (issue 20), looked up once per page. */
  private async named(
    result: Conditional<Page<AccessListMemberDto>>,
  ): Promise<Conditional<Page<AccessListMemberDto>>> {
    if (result.kind !== 'ok') return result;
    const orgNumbers = result.value.data.map((m) => m.identifiers['urn:altinn:organization:identifier-no']);
    const names = await this.names.namesOf(orgNumbers, 'nb');
    const data = result.value.data.map((m) => ({
      ...m,
      name: names.get(m.identifiers['urn:altinn:organization:identifier-no']) ?? null,
    }));
    return { ...result, value: { ...result.value, data } };
  }

  @Get(':owner/:identifier/members')
  @ConditionalRead({
    summary:
      'Members, 100 per page by org number; the token is pinned to the list version (412 if it changed)',
    ok: versioned(AccessListMembersPageDto),
    notFound: NO_SUCH_LIST,
  })
  async page(
    @CurrentPrincipal() principal: Principal,
    @Param('owner') owner: string,
    @Param('identifier') identifier: string,
    @Query() query: PageQueryDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessListMembersPageDto | undefined> {
    const page = await this.members.page(principal, owner, identifier, conditionsOf(req), query.token);
    return sendConditional(reply, await this.named(page));
  }

  @Put(':owner/:identifier/members')
  @ConditionalWrite({
    summary: 'Replace all members (at most 100 per call; use POST/DELETE for large lists)',
    ok: WRITTEN,
    badRequest: TOO_MANY_OR_INVALID,
  })
  async replace(
    @ListTarget() list: ListTarget,
    @Body() body: UpsertMembersDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessListMembersPageDto | undefined> {
    return this.write('replace', list, body.data, reply);
  }

  @Post(':owner/:identifier/members')
  @HttpCode(200)
  @ConditionalWrite({
    summary: 'Add members (idempotent; at most 100 per call)',
    ok: WRITTEN,
    badRequest: TOO_MANY_OR_INVALID,
  })
  async add(
    @ListTarget() list: ListTarget,
    @Body() body: UpsertMembersDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessListMembersPageDto | undefined> {
    return this.write('add', list, body.data, reply);
  }

  @Post(':owner/:identifier/members/csv')
  @HttpCode(200)
  @ApiConsumes('text/csv')
  @ApiBody({
    description:
      'One organisation per line: a 9-digit org number (or party URN) in the first column; a header line is ' +
      'skipped. At most 100 per upload.',
    schema: {
      type: 'string',
      format: 'binary',
      example: 'organisasjonsnummer;navn\n984851006;DNB BANK ASA\n',
    },
  })
  @ConditionalWrite({
    summary: 'Add members from a CSV upload (idempotent; at most 100 per upload)',
    ok: WRITTEN,
    badRequest: `${TOO_MANY_OR_INVALID}; the problems name the lines as $.data[i] (after any header)`,
  })
  async addCsv(
    @ListTarget() list: ListTarget,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessListMembersPageDto | undefined> {
    if (typeof body !== 'string')
      throw new DomainError(415, 'STD-00415', 'Send the members as text/csv.', {
        title: 'Unsupported Media Type',
      });
    return this.write('add', list, memberUrnsFromCsv(body), reply);
  }

  @Delete(':owner/:identifier/members')
  @ConditionalWrite({
    summary: 'Remove members (idempotent; at most 100 per call)',
    ok: WRITTEN,
    badRequest: TOO_MANY_OR_INVALID,
  })
  async remove(
    @ListTarget() list: ListTarget,
    @Body() body: UpsertMembersDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessListMembersPageDto | undefined> {
    return this.write('remove', list, body.data, reply);
  }

  private async write(
    op: MembersOperation,
    { principal, owner, identifier, conditions }: ListTarget,
    data: unknown[],
    reply: FastifyReply,
  ): Promise<AccessListMembersPageDto | undefined> {
    return sendConditional(
      reply,
      await this.named(await this.members.write(principal, owner, identifier, op, data, conditions)),
    );
  }
}
