import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequireScopes } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import {
  APPROVE_BODY_EXAMPLES,
  APPROVED_EXAMPLE,
  CREATE_BODY_EXAMPLES,
  PAGE_EXAMPLES,
  PENDING_EXAMPLE,
  REJECTED_EXAMPLE,
  WITHDRAWN_EXAMPLE,
} from './access-request.examples.js';
import { AccessRequestDecisionsService } from './access-request-decisions.service.js';
import { AccessRequestNames } from './access-request-names.js';
import { ACCESS_REQUESTS_PATH, AccessRequestsService } from './access-requests.service.js';
import {
  AccessRequestDto,
  AccessRequestIdParamsDto,
  AccessRequestPageDto,
  ApproveAccessRequestDto,
  CreateAccessRequestDto,
  ListAccessRequestsQueryDto,
  RejectAccessRequestDto,
} from './dto/access-request.dto.js';

const PROBLEM = 'problem+json; `validationErrors` lists every bad field.';
const NOT_FOUND = 'No such request, or the caller is neither its consumer nor its owner (AR-00001).';

/**
 * Access requests (DESIGN §4.4, §10). Any valid token reaches these routes: a consumer needs no
 * special scope to ask. Who may decide is the service's rule (consumer vs. resource owner).
 */
@ApiTags('access requests')
@Controller('api/v1/access-requests')
@RequireScopes()
export class AccessRequestsController {
  constructor(
    private readonly requests: AccessRequestsService,
    private readonly decisions: AccessRequestDecisionsService,
    private readonly names: AccessRequestNames,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @ApiOperation({
    summary: "Consumer: ask a resource's owner for its scopes and a place on its access list",
    description:
      'The caller (token `consumer`) is the consumer. Every scope must be an existing scope of the ' +
      "resource's service owner (400 naming the others). One open request per consumer and resource " +
      '(409 AR-00003 with `existingRequestId`). The owner sees it in its list; both sides follow the status.',
  })
  @ApiBody({ type: CreateAccessRequestDto, examples: CREATE_BODY_EXAMPLES })
  @ApiCreatedResponse({
    type: AccessRequestDto,
    description: 'Created; `Location` names it.',
    example: PENDING_EXAMPLE,
  })
  @ApiBadRequestResponse({
    description: `Unknown resource, the caller's own resource, or scopes that are not the owner's. ${PROBLEM}`,
  })
  @ApiConflictResponse({ description: 'An open request for this resource exists (AR-00003).' })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateAccessRequestDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessRequestDto> {
    const dto = await this.names.name(await this.requests.create(principal, body));
    void reply.status(201).header('location', `${this.config.publicUrl}${ACCESS_REQUESTS_PATH}/${dto.id}`);
    return dto;
  }

  @Get()
  @ApiOperation({
    summary: "Consumer and owner: list access requests (the caller's own, and those for its resources)",
    description:
      'Newest first, 100 per page; follow `links.next`. `role=consumer` shows the requests the caller made, ' +
      '`role=owner` those for its resources (the owner’s inbox: add `status=pending`). ' +
      'The platform operator (`consentgw:admin`) sees all when `role` is absent.',
  })
  @ApiOkResponse({ type: AccessRequestPageDto, examples: PAGE_EXAMPLES })
  @ApiBadRequestResponse({ description: `Invalid filter or continuation token. ${PROBLEM}` })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListAccessRequestsQueryDto,
  ): Promise<AccessRequestPageDto> {
    return this.names.name(await this.requests.list(principal, query));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Consumer and owner: one access request' })
  @ApiOkResponse({
    type: AccessRequestDto,
    examples: {
      pending: { summary: 'Waiting for the owner', value: PENDING_EXAMPLE },
      approved: { summary: 'Approved: scopes granted, consumer on the list', value: APPROVED_EXAMPLE },
      rejected: { summary: 'Rejected with a reason', value: REJECTED_EXAMPLE },
    },
  })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param() params: AccessRequestIdParamsDto,
  ): Promise<AccessRequestDto> {
    return this.names.name(await this.requests.get(principal, params.id));
  }

  @Post(':id/approve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Owner: approve — grant the requested scopes and add the consumer to an access list',
    description:
      'One transaction, audited: grants every requested scope to the consumer and adds it to the named list ' +
      "of the caller's own (connecting the list to the resource with no action filter if it is not connected). " +
      'Approving again answers 200 with the same request and changes nothing; a rejected or withdrawn ' +
      'request is 409 AR-00004.',
  })
  @ApiBody({ type: ApproveAccessRequestDto, examples: APPROVE_BODY_EXAMPLES })
  @ApiOkResponse({ type: AccessRequestDto, example: APPROVED_EXAMPLE })
  @ApiBadRequestResponse({
    description: `accessList missing for a resource with access lists, or malformed. ${PROBLEM}`,
  })
  @ApiForbiddenResponse({
    description:
      "The caller is not the resource's owner (AR-00002), or the list is another owner's (AR-00005).",
  })
  @ApiNotFoundResponse({ description: `${NOT_FOUND} Or the owner has no such list (AR-00006).` })
  @ApiConflictResponse({
    description: 'Already rejected or withdrawn, or approved with another list (AR-00004).',
  })
  async approve(
    @CurrentPrincipal() principal: Principal,
    @Param() params: AccessRequestIdParamsDto,
    @Body() body: ApproveAccessRequestDto,
  ): Promise<AccessRequestDto> {
    return this.names.name(await this.decisions.approve(principal, params.id, body ?? {}));
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Owner: reject with a reason the consumer sees',
    description:
      'Rejecting again answers 200 with the same request; an approved or withdrawn request is 409 AR-00004.',
  })
  @ApiBody({ type: RejectAccessRequestDto })
  @ApiOkResponse({ type: AccessRequestDto, example: REJECTED_EXAMPLE })
  @ApiBadRequestResponse({ description: `reason missing or too long. ${PROBLEM}` })
  @ApiForbiddenResponse({ description: "The caller is not the resource's owner (AR-00002)." })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({ description: 'Already approved or withdrawn (AR-00004).' })
  async reject(
    @CurrentPrincipal() principal: Principal,
    @Param() params: AccessRequestIdParamsDto,
    @Body() body: RejectAccessRequestDto,
  ): Promise<AccessRequestDto> {
    return this.names.name(await this.decisions.reject(principal, params.id, body));
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Consumer: withdraw a pending request',
    description:
      'No body. Withdrawing again answers 200 with the same request; an approved or rejected request is 409 AR-00004. ' +
      'Racing an approval, exactly one of them wins.',
  })
  @ApiOkResponse({ type: AccessRequestDto, example: WITHDRAWN_EXAMPLE })
  @ApiForbiddenResponse({ description: 'The caller is the owner, not the consumer (AR-00002).' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({ description: 'Already approved or rejected (AR-00004).' })
  async withdraw(
    @CurrentPrincipal() principal: Principal,
    @Param() params: AccessRequestIdParamsDto,
  ): Promise<AccessRequestDto> {
    return this.names.name(await this.decisions.withdraw(principal, params.id));
  }
}
