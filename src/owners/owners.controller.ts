import { Body, Controller, Get, Param, Put, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequireScopes } from '../common/auth/auth.decorators.js';
import { pageLink } from '../common/paging/pages.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import {
  ContinuationQueryDto,
  OrgcodeParamDto,
  OwnerDto,
  OwnerPageDto,
  PutOwnerDto,
} from './dto/owner.dto.js';
import type { OwnerView } from './owner.view.js';
import { OwnersService } from './owners.service.js';

function toDto(o: OwnerView): OwnerDto {
  return {
    orgcode: o.orgcode,
    orgNumber: o.orgNumber,
    name: { ...o.name },
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

/** Service owners (DESIGN §4.1): the platform operator registers who may own resources. */
@ApiTags('admin: service owners')
@RequireScopes(Scopes.admin)
@Controller('admin/v1/owners')
export class OwnersController {
  constructor(private readonly owners: OwnersService) {}

  @Get()
  @ApiOperation({ summary: 'List service owners (100 per page, by org code)' })
  @ApiOkResponse({ type: OwnerPageDto })
  @ApiBadRequestResponse({ description: 'Invalid continuation token' })
  async list(@Query() query: ContinuationQueryDto): Promise<OwnerPageDto> {
    const page = await this.owners.list(query.continuationToken);
    return {
      links: {
        next: page.next && pageLink('/admin/v1/owners', { continuationToken: page.next }),
      },
      data: page.items.map(toDto),
    };
  }

  @Get(':orgcode')
  @ApiOperation({ summary: 'Get one service owner' })
  @ApiOkResponse({ type: OwnerDto })
  @ApiNotFoundResponse({ description: 'No such owner' })
  async get(@Param() params: OrgcodeParamDto): Promise<OwnerDto> {
    return toDto(await this.owners.get(params.orgcode));
  }

  @Put(':orgcode')
  @ApiOperation({ summary: 'Create (201) or update (200) a service owner' })
  @ApiCreatedResponse({ type: OwnerDto, description: 'Created' })
  @ApiOkResponse({ type: OwnerDto, description: 'Updated (or unchanged)' })
  @ApiBadRequestResponse({ description: 'Invalid org code, org number or name' })
  @ApiConflictResponse({ description: 'Org number taken by another owner, or cannot change' })
  async put(
    @Param() params: OrgcodeParamDto,
    @Body() body: PutOwnerDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OwnerDto> {
    const { owner, created } = await this.owners.put(params.orgcode, body, principal);
    void reply.status(created ? 201 : 200);
    return toDto(owner);
  }
}
