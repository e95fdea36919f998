import { Body, Controller, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequireAnyScope } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { CONSENT_REQUESTS_PATH } from './consent-access.js';
import { extensionNotFound } from './consent-extension-problems.js';
import { toExtensionDto, toVersionsDto } from './consent-extension.mapper.js';
import { ConsentExtensionsService } from './consent-extensions.service.js';
import { ConsentVersionsService } from './consent-versions.service.js';
import { ConsumerOrOwnerRead, READ_POLICY, WRITE_POLICY } from './consent-routes.js';
import {
  ConsentExtensionDto,
  ConsentVersionsDto,
  CreateConsentExtensionDto,
} from './dto/consent-extension.dto.js';

const PROBLEM = 'application/problem+json naming the field (`validationErrors[].paths`).';

/**
 * Extending an accepted consent without a new one (beyond Altinn; docs/consent-lifecycle.md):
 * the consumer asks, reads and cancels here; the person answers in the portal. Same scopes and
 * the same "consumer (`to`) or `handledBy`" rule as the consent requests themselves.
 */
@ApiTags('consent lifecycle (beyond Altinn)')
@Controller('accessmanagement/api/v1/enterprise/consentrequests/:id')
export class ConsentExtensionsController {
  constructor(
    private readonly extensions: ConsentExtensionsService,
    private readonly versions: ConsentVersionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('extensions')
  @RequireAnyScope(...WRITE_POLICY)
  @ApiOperation({
    summary: 'Ask the person to extend an accepted consent (a later `validTo`)',
    description:
      'The person sees the request on the consent in the portal and approves or declines it. On approval the consent keeps its id, gets the new `validTo` and a new version with its own receipt; events `extension_requested`, `extended`, `extension_declined`, `extension_cancelled` (feed and webhooks, only when asked for by type).',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiBody({ type: CreateConsentExtensionDto })
  @ApiCreatedResponse({ type: ConsentExtensionDto, description: 'Pending; `Location` names it.' })
  @ApiBadRequestResponse({
    description: `${PROBLEM} CX-00001 the consent is not accepted (or expired); CX-00003 \`validTo\` not later than the current one; CP-00001 beyond the resource's \`maxValidity\`; CP-00004 a metadata value the resource's policy no longer allows; AM-00005 a resource that no longer exists.`,
  })
  @ApiForbiddenResponse({
    description: 'AM-00000: not the consumer or handledBy; or no longer on the access list.',
  })
  @ApiNotFoundResponse({ description: 'AM-00001' })
  @ApiConflictResponse({ description: 'CX-00002: an extension is already pending (`pendingExtensionId`).' })
  async request(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConsentExtensionDto> {
    const extension = await this.extensions.request(principal, id, body);
    void reply
      .status(201)
      .header(
        'location',
        `${this.config.publicUrl}${CONSENT_REQUESTS_PATH}/${extension.consentRequestId}/extensions/${extension.id}`,
      );
    return toExtensionDto(extension);
  }

  @Get('extensions')
  @RequireAnyScope(...READ_POLICY)
  @ApiOperation({ summary: 'The extensions asked for on a consent, newest first' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: [ConsentExtensionDto] })
  @ApiForbiddenResponse({ description: 'AM-00000: not the consumer or handledBy.' })
  @ApiNotFoundResponse({ description: 'AM-00001' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<ConsentExtensionDto[]> {
    const consent = await this.extensions.consentForConsumer(principal, id);
    return (await this.versions.extensionsOf(consent)).map(toExtensionDto);
  }

  @Get('extensions/:extensionId')
  @RequireAnyScope(...READ_POLICY)
  @ApiOperation({ summary: 'One extension of a consent' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'extensionId', format: 'uuid' })
  @ApiOkResponse({ type: ConsentExtensionDto })
  @ApiForbiddenResponse({ description: 'AM-00000: not the consumer or handledBy.' })
  @ApiNotFoundResponse({ description: 'AM-00001 no such consent; CX-00005 no such extension on it.' })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('extensionId') extensionId: string,
  ): Promise<ConsentExtensionDto> {
    const consent = await this.extensions.consentForConsumer(principal, id);
    const extension = await this.versions.extensionOf(consent, extensionId);
    if (!extension) throw extensionNotFound(extensionId);
    return toExtensionDto(extension);
  }

  @Post('extensions/:extensionId/cancel')
  @HttpCode(200)
  @RequireAnyScope(...WRITE_POLICY)
  @ApiOperation({
    summary: 'Withdraw a pending extension before the person answers (cancelling again changes nothing)',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'extensionId', format: 'uuid' })
  @ApiOkResponse({ type: ConsentExtensionDto })
  @ApiForbiddenResponse({ description: 'AM-00000: not the consumer or handledBy.' })
  @ApiNotFoundResponse({ description: 'AM-00001 no such consent; CX-00005 no such extension on it.' })
  @ApiConflictResponse({ description: 'CX-00004: the extension was approved, declined or has lapsed.' })
  async cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('extensionId') extensionId: string,
  ): Promise<ConsentExtensionDto> {
    return toExtensionDto(await this.extensions.cancel(principal, id, extensionId));
  }

  @Get('versions')
  @ConsumerOrOwnerRead(
    {
      summary: 'The versions of a consent’s terms, oldest first (beyond Altinn)',
      description:
        'Readable by the consumer (`to` or `handledBy`) and by the owner of a resource the consent names. Version 1 is the consent as first accepted; each approved extension adds one.',
    },
    ConsentVersionsDto,
  )
  async versionsOf(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<ConsentVersionsDto> {
    const consent = await this.extensions.consentForReader(principal, id);
    return toVersionsDto(consent, await this.versions.versionsOf(consent));
  }
}
