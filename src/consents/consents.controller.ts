import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequireAnyScope, RequireScopes } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { CONSENT_STATUSES } from './consent.record.js';
import { ConsumerOrOwnerRead, READ_POLICY, WRITE_POLICY } from './consent-routes.js';
import { CONSENT_REQUESTS_PATH } from './consent-access.js';
import { ConsentListingService } from './consent-listing.service.js';
import { ConsentLookupService } from './consent-lookup.service.js';
import { ConsentRequestsService } from './consent-requests.service.js';
import { ConsentUsageService } from './consent-usage.service.js';
import { ConsentUsageDto } from './dto/consent-usage.dto.js';
import {
  ConsentDetailsDto,
  ConsentDetailsPageDto,
  ConsentEventsPageDto,
  ConsentLookupRequestDto,
  ConsentLookupResponseDto,
  CreateConsentRequestDto,
} from './dto/consent-request.dto.js';

const PROBLEM =
  'application/problem+json (RFC 9457) with Altinn codes; validation problems are listed in `validationErrors`.';

/**
 * Altinn's consumer consent API (DESIGN §4.6). Bodies and queries are typed `unknown` on purpose:
 * the service validates them in Altinn's order with Altinn's codes (see consent-request.parser.ts).
 */
@ApiTags('consent requests')
@Controller('accessmanagement/api/v1/enterprise/consentrequests')
export class ConsentsController {
  constructor(
    private readonly requests: ConsentRequestsService,
    private readonly listing: ConsentListingService,
    private readonly usageLog: ConsentUsageService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @RequireAnyScope(...WRITE_POLICY)
  @ApiOperation({
    summary: 'Create a consent request',
    description:
      "Validates in Altinn's order and reports every problem in one 400. 201 with `Location`; the same `id` again with the same `from`/`to` answers 200 with the stored request; with other parties 400 `AM-00016`.",
  })
  @ApiBody({ type: CreateConsentRequestDto })
  @ApiCreatedResponse({ type: ConsentDetailsDto, description: 'Created; `Location` names the new request.' })
  @ApiOkResponse({
    type: ConsentDetailsDto,
    description: 'The same id was sent before with the same parties.',
  })
  @ApiBadRequestResponse({ description: PROBLEM })
  @ApiForbiddenResponse({
    description:
      "The token has neither `.write` nor `.org`; `to` is not the caller and the token lacks `altinn:consentrequests.org` (AM-00000); or `to` (or a `.org` caller asking for another `to`) is not on the resource's access list (AM-00000). A `.org` caller creating for another `to` becomes `handledBy`.",
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConsentDetailsDto> {
    const { dto, created } = await this.requests.create(principal, body);
    if (created)
      void reply.status(201).header('location', `${this.config.publicUrl}${CONSENT_REQUESTS_PATH}/${dto.id}`);
    else void reply.status(200);
    return dto;
  }

  @Get()
  @RequireAnyScope(...READ_POLICY)
  @ApiOperation({
    summary: "List the caller's consent requests (beyond Altinn)",
    description: 'Newest first, 100 per page.',
  })
  @ApiQuery({
    name: 'status',
    required: false,
    description: `Comma-separated: ${CONSENT_STATUSES.join(', ')}`,
  })
  @ApiQuery({ name: 'resource', required: false })
  @ApiQuery({ name: 'from', required: false, description: 'Party URN of the data subject' })
  @ApiQuery({ name: 'createdAfter', required: false })
  @ApiQuery({ name: 'createdBefore', required: false })
  @ApiQuery({ name: 'continuationToken', required: false })
  @ApiOkResponse({ type: ConsentDetailsPageDto })
  @ApiBadRequestResponse({ description: PROBLEM })
  list(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<ConsentDetailsPageDto> {
    return this.listing.list(principal, query);
  }

  @Get('events')
  @RequireAnyScope(...READ_POLICY)
  @ApiOperation({
    summary: "The caller's consent events, oldest first",
    description:
      "Altinn's feed: 100 per page; `links.next` is set only on a full page and continues after its last event (null on a shorter page: the end for now). To poll for more, fetch the last page's own URL again. An event is in the feed as soon as it commits, and none is ever skipped.",
  })
  @ApiQuery({ name: 'continuationToken', required: false })
  @ApiQuery({ name: 'createdAfter', required: false })
  @ApiQuery({ name: 'createdBefore', required: false })
  @ApiQuery({
    name: 'eventType',
    required: false,
    description: `Any case; comma-separated or repeated: ${CONSENT_STATUSES.join(', ')}`,
  })
  @ApiQuery({ name: 'consentRequestId', required: false })
  @ApiOkResponse({ type: ConsentEventsPageDto })
  @ApiBadRequestResponse({ description: PROBLEM })
  events(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<ConsentEventsPageDto> {
    return this.listing.eventsFeed(principal, query);
  }

  @Get(':id')
  @RequireAnyScope(...READ_POLICY)
  @ApiOperation({ summary: 'Read a consent request (the consumer `to` or `handledBy` only)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ConsentDetailsDto })
  @ApiForbiddenResponse({ description: 'AM-00000: not the consumer or handledBy.' })
  @ApiNotFoundResponse({ description: 'AM-00001' })
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ConsentDetailsDto> {
    return this.requests.getForCaller(principal, id);
  }

  @Get(':id/usage')
  @ConsumerOrOwnerRead(
    {
      summary:
        'The consent’s usage log (beyond Altinn): calls made under it at the gateway, per API, consumer and hour',
      description:
        'Recorded at the gateway, so it cannot be skipped. Readable by the consumer (`to` or `handledBy`) and by the owner of a resource the consent names. Counts are written in batches about once a second.',
    },
    ConsentUsageDto,
    'AM.VLD-00001: the id is not a UUID.',
  )
  usage(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ConsentUsageDto> {
    return this.usageLog.forCaller(principal, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireAnyScope(...WRITE_POLICY)
  @ApiOperation({ summary: 'Cancel an unanswered request: status `deleted` (beyond Altinn)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ConsentDetailsDto })
  @ApiForbiddenResponse({ description: 'AM-00000' })
  @ApiNotFoundResponse({ description: 'AM-00001' })
  cancel(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ConsentDetailsDto> {
    return this.requests.cancel(principal, id);
  }
}

/** Maskinporten-compatible lookup, so an external issuer can put our consents in its tokens. */
@ApiTags('consent requests')
@Controller('accessmanagement/api/v1/maskinporten/consent')
export class ConsentLookupController {
  constructor(private readonly lookups: ConsentLookupService) {}

  @Post('lookup')
  @HttpCode(200)
  @RequireScopes(Scopes.consentLookup)
  @ApiOperation({
    summary: 'Look up an active consent for a token (external issuers)',
    description:
      'AM-00001 unknown (or not for `to`), AM-00011 revoked, AM-00012 `from` mismatch, AM-00013 expired, AM-00014 not accepted.',
  })
  @ApiBody({ type: ConsentLookupRequestDto })
  @ApiOkResponse({ type: ConsentLookupResponseDto })
  @ApiBadRequestResponse({ description: PROBLEM })
  @ApiNotFoundResponse({ description: 'AM-00001' })
  lookup(@Body() body: unknown): Promise<ConsentLookupResponseDto> {
    return this.lookups.lookup(body);
  }
}
