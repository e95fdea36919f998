import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequireScopes } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { ApiRoute } from '../common/http/owner-scoped.decorators.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import {
  CreateWebhookDto,
  WebhookCreatedDto,
  WebhookDeliveriesQueryDto,
  WebhookDeliveryPageDto,
  WebhookDto,
  WebhookPageDto,
} from './dto/webhook.dto.js';
import { WEBHOOKS_PATH, WebhooksService } from './webhooks.service.js';

const NOT_FOUND = 'WH-00001: no such subscription for your organisation.';
const SUBSCRIPTION_ID = { name: 'id', format: 'uuid' } as const;

/** Webhook subscriptions of the caller's organisation (DESIGN §4.10, §10). */
@ApiTags('webhooks')
@Controller('api/v1/webhooks')
@RequireScopes(Scopes.consentRequestsRead)
export class WebhooksController {
  constructor(
    private readonly webhooks: WebhooksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @ApiRoute({
    summary: 'Subscribe to your consent events',
    description:
      'Deliveries are signed POSTs of `{id, type, time, data}` with `X-Webhook-Id`, `X-Webhook-Timestamp` and ' +
      '`X-Signature: sha256=<hex HMAC-SHA256 of the raw body>`; the secret is in this answer only.',
    created: { type: WebhookCreatedDto, description: 'Created; `Location` names it.' },
    badRequest: 'validationErrors: STD.VLD-00000/1/2, WH.VLD-00001 (url), WH.VLD-00002 (event type).',
    conflict: 'WH-00002: the organisation has the most subscriptions allowed.',
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateWebhookDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WebhookCreatedDto> {
    const created = await this.webhooks.create(principal, body);
    void reply.status(201).header('location', `${this.config.publicUrl}${WEBHOOKS_PATH}/${created.id}`);
    return created;
  }

  @Get()
  @ApiRoute({ summary: "Your organisation's webhook subscriptions", ok: WebhookPageDto })
  list(@CurrentPrincipal() principal: Principal): Promise<WebhookPageDto> {
    return this.webhooks.list(principal);
  }

  @Get(':id')
  @ApiRoute({ summary: 'One subscription (never its secret)', ok: WebhookDto, notFound: NOT_FOUND })
  @ApiParam(SUBSCRIPTION_ID)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<WebhookDto> {
    return this.webhooks.get(principal, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiRoute({
    summary: 'Unsubscribe (deletes the delivery log too)',
    noContent: 'Deleted.',
    notFound: NOT_FOUND,
  })
  @ApiParam(SUBSCRIPTION_ID)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.webhooks.remove(principal, id);
  }

  @Get(':id/deliveries')
  @ApiRoute({
    summary: 'The delivery log of a subscription',
    description:
      'Newest first, 100 per page; each delivery with its status, attempts, next attempt and last error.',
    ok: WebhookDeliveryPageDto,
    notFound: NOT_FOUND,
  })
  @ApiParam(SUBSCRIPTION_ID)
  deliveries(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: WebhookDeliveriesQueryDto,
  ): Promise<WebhookDeliveryPageDto> {
    return this.webhooks.deliveries(principal, id, query);
  }
}
