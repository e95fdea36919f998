import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { actorOf } from '../audit/audit.service.js';
import { CurrentPrincipal, RequireScopes } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { DomainError } from '../common/errors/domain-error.js';
import { INVALID_VALUE } from '../common/errors/validation-errors.js';
import { ApiRoute } from '../common/http/owner-scoped.decorators.js';
import { pageLink } from '../common/paging/pages.js';
import { parseBrregCsv, parseBrregJson } from './brreg-records.js';
import { OrgNumberParamDto } from './dto/org-roles.dto.js';
import {
  ImportSummaryDto,
  OrganizationDto,
  OrganizationPageDto,
  PutOrganizationDto,
} from './dto/organization.dto.js';
import { ContinuationQueryDto } from './dto/owner.dto.js';
import type { OrganizationView } from './organization.view.js';
import { OrganizationsService } from './organizations.service.js';

function toDto(o: OrganizationView): OrganizationDto {
  return {
    orgNumber: o.orgNumber,
    name: { ...o.name },
    organizationForm: o.organizationForm,
    parentOrgNumber: o.parentOrgNumber,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

const IMPORT_EXAMPLE = [
  { organisasjonsnummer: '974761076', navn: 'SKATTEETATEN', organisasjonsform: { kode: 'ORGL' } },
  {
    organisasjonsnummer: '974761084',
    navn: 'SKATTEETATEN AVD OSLO',
    organisasjonsform: { kode: 'BEDR' },
    overordnetEnhet: '974761076',
  },
];

/**
 * The organisation register (issue 20): names, organisation form and main unit of the
 * organisations the service shows, after Enhetsregisteret. Operator only.
 */
@ApiTags('admin: organisation register')
@RequireScopes(Scopes.admin)
@Controller('admin/v1/organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Get()
  @ApiRoute({
    summary: 'List the organisation register (100 per page, by org number)',
    ok: OrganizationPageDto,
    badRequest: 'Invalid continuation token',
  })
  async list(@Query() query: ContinuationQueryDto): Promise<OrganizationPageDto> {
    const page = await this.organizations.list(query.continuationToken);
    return {
      links: { next: page.next && pageLink('/admin/v1/organizations', { continuationToken: page.next }) },
      data: page.items.map(toDto),
    };
  }

  @Post('import')
  @HttpCode(200)
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({
    description:
      'Brønnøysund open data (data.brreg.no): a JSON array of units or an API page ' +
      '(`_embedded.enheter` / `_embedded.underenheter`), or the CSV download with the columns ' +
      '`organisasjonsnummer`, `navn`, `organisasjonsform.kode`, `overordnetEnhet`. ' +
      'At most 20 000 units; one bad unit refuses the whole import.',
    schema: { type: 'array', items: { type: 'object' }, example: IMPORT_EXAMPLE },
  })
  @ApiRoute({
    summary: 'Import organisations from the Brønnøysund open-data format (JSON or CSV)',
    ok: ImportSummaryDto,
    badRequest: 'A unit is invalid (each problem names its row), or a main unit is unknown',
  })
  async import(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<ImportSummaryDto> {
    const parsed = typeof body === 'string' ? parseBrregCsv(body) : parseBrregJson(body);
    if ('problems' in parsed)
      throw DomainError.validation(parsed.problems, 'The import file has invalid units.');
    return this.organizations.importMany(parsed.rows, actorOf(principal));
  }

  @Get(':orgNumber')
  @ApiRoute({
    summary: 'Get one organisation of the register',
    ok: OrganizationDto,
    badRequest: 'Invalid org number',
    notFound: 'The organisation is not in the register',
  })
  async get(@Param() params: OrgNumberParamDto): Promise<OrganizationDto> {
    return toDto(await this.organizations.get(params.orgNumber));
  }

  @Put(':orgNumber')
  @ApiRoute({
    summary: 'Create (201) or replace (200) an organisation of the register',
    created: { type: OrganizationDto, description: 'Created' },
    ok: { type: OrganizationDto, description: 'Replaced (or unchanged)' },
    badRequest: 'Invalid org number, name, organisation form or main unit (unknown, or a loop)',
  })
  async put(
    @Param() params: OrgNumberParamDto,
    @Body() body: PutOrganizationDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrganizationDto> {
    if (body.parentOrgNumber === params.orgNumber)
      throw DomainError.validation([
        {
          code: INVALID_VALUE,
          title: 'An organisation cannot be its own main unit.',
          paths: ['$.parentOrgNumber'],
        },
      ]);
    const { org, created } = await this.organizations.put(
      {
        orgNumber: params.orgNumber,
        name: body.name,
        organizationForm: body.organizationForm ?? null,
        parentOrgNumber: body.parentOrgNumber ?? null,
      },
      actorOf(principal),
    );
    void reply.status(created ? 201 : 200);
    return toDto(org);
  }
}
