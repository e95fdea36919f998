import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequireScopes } from '../common/auth/auth.decorators.js';
import { pageLink } from '../common/paging/pages.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { ApiRoute } from '../common/http/owner-scoped.decorators.js';
import {
  OrgNumberParamDto,
  OrgRoleDto,
  OrgRolePageDto,
  OrgRoleParamsDto,
  PutOrgRolesDto,
} from './dto/org-roles.dto.js';
import { ContinuationQueryDto } from './dto/owner.dto.js';
import type { OrgRoleView } from './owner.view.js';
import { OwnersService } from './owners.service.js';

function toDto(r: OrgRoleView): OrgRoleDto {
  return {
    orgNumber: r.orgNumber,
    personId: r.personId,
    roles: [...r.roles],
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/**
 * Who may act for an organisation in the portal (DESIGN §4.1). Stands in for the Central
 * Coordinating Register, so any checksum-valid organisation can get roles, not only owners.
 */
@ApiTags('admin: organisation roles')
@RequireScopes(Scopes.admin)
@Controller('admin/v1/organizations/:orgNumber/roles')
export class OrgRolesController {
  constructor(private readonly owners: OwnersService) {}

  @Get()
  @ApiRoute({
    summary: 'List the persons holding roles for an organisation (100 per page)',
    ok: OrgRolePageDto,
    badRequest: 'Invalid org number or continuation token',
  })
  async list(
    @Param() params: OrgNumberParamDto,
    @Query() query: ContinuationQueryDto,
  ): Promise<OrgRolePageDto> {
    const page = await this.owners.listRoles(params.orgNumber, query.continuationToken);
    return {
      links: {
        next:
          page.next &&
          pageLink(`/admin/v1/organizations/${params.orgNumber}/roles`, { continuationToken: page.next }),
      },
      data: page.items.map(toDto),
    };
  }

  @Put(':personId')
  @ApiRoute({
    summary: "Set a person's roles for an organisation (replaces them)",
    created: { type: OrgRoleDto, description: 'Created' },
    ok: { type: OrgRoleDto, description: 'Replaced (or unchanged)' },
    badRequest: 'Invalid org number, person number or role codes',
  })
  async put(
    @Param() params: OrgRoleParamsDto,
    @Body() body: PutOrgRolesDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrgRoleDto> {
    const { role, created } = await this.owners.putRoles(
      params.orgNumber,
      params.personId,
      body.roles,
      principal,
    );
    void reply.status(created ? 201 : 200);
    return toDto(role);
  }

  @Delete(':personId')
  @HttpCode(204)
  @ApiRoute({
    summary: "Remove all of a person's roles for an organisation",
    noContent: 'Removed',
    notFound: 'The person has no roles for the organisation',
  })
  async remove(@Param() params: OrgRoleParamsDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.owners.deleteRoles(params.orgNumber, params.personId, principal);
  }
}
