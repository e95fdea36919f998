import { Controller, Get, Param } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Public } from '../common/auth/auth.decorators.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ConsentTemplateDto, TemplateVersionParamsDto } from './dto/consent-template.dto.js';
import { TemplatesService } from './templates.service.js';

/** Consent templates are public, as in Altinn (DESIGN §10 "Reading resources is public"). */
@ApiTags('resource registry: consent templates')
@Public()
@Controller('resourceregistry/api/v1/consent-templates')
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Get()
  @ApiOperation({ summary: 'List consent templates (the latest active version of each)' })
  @ApiOkResponse({ type: [ConsentTemplateDto] })
  async list(): Promise<ConsentTemplateDto[]> {
    return this.templates.listLatest();
  }

  @Get(':id/:version')
  @ApiOperation({ summary: 'Get one version of a consent template (old versions stay readable)' })
  @ApiOkResponse({ type: ConsentTemplateDto })
  @ApiBadRequestResponse({ description: 'Malformed id or version' })
  @ApiNotFoundResponse({ description: 'No such template version' })
  async get(@Param() params: TemplateVersionParamsDto): Promise<ConsentTemplateDto> {
    const t = await this.templates.getTemplate(params.id, params.version);
    if (!t)
      throw DomainError.notFound(
        'RR-00006',
        `Consent template '${params.id}' has no version ${params.version}.`,
      );
    return t;
  }
}
