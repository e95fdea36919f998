/**
 * Webhook subscriptions and their delivery log (DESIGN §4.10). A subscription belongs to the
 * caller's organisation (the token's `consumer`) and receives the consent events of requests
 * `to` that organisation or handled by it — the same events its events feed shows. Another
 * organisation's subscription answers 404, as if it did not exist.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { actorOf } from '../audit/audit.service.js';
import { ChangeLogService } from '../audit/change-log.service.js';
import type { Principal } from '../common/auth/principal.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ContinuationTokens, type PageTokens } from '../common/paging/continuation-tokens.js';
import { uuidPosition } from '../common/paging/page-positions.js';
import { cutPage, pageLink } from '../common/paging/pages.js';
import { isUuid } from '../common/identifiers/uuid.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { Prisma } from '../generated/prisma/client.js';
import { PrismaService, TX_OPTIONS } from '../prisma/prisma.service.js';
import type {
  CreateWebhookDto,
  WebhookCreatedDto,
  WebhookDeliveriesQueryDto,
  WebhookDeliveryPageDto,
  WebhookDto,
  WebhookPageDto,
} from './dto/webhook.dto.js';
import { WebhookCodes, webhookNotFound } from './webhook-errors.js';
import { toDeliveryDto, toWebhookDto } from './webhook.mapper.js';
import { WebhookOutboxService } from './webhook-outbox.service.js';
import { generateWebhookSecret, sealSecret } from './webhook-secret.js';
import { lockOrgSubscriptions } from './webhooks.repository.js';

export const WEBHOOKS_PATH = '/api/v1/webhooks';
/** Subscriptions per organisation: enough for every environment of a consumer, not a flood. */
export const MAX_SUBSCRIPTIONS_PER_ORG = 20;
export const DELIVERY_PAGE_SIZE = 100;

@Injectable()
export class WebhooksService {
  /** The delivery log continues before the last delivery id, bound to the subscription. */
  private readonly deliveryPages: PageTokens<string>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: WebhookOutboxService,
    private readonly changes: ChangeLogService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    tokens: ContinuationTokens,
  ) {
    this.deliveryPages = tokens.forPages('webhooks/deliveries', uuidPosition);
  }

  async create(principal: Principal, body: CreateWebhookDto): Promise<WebhookCreatedDto> {
    const secret = generateWebhookSecret();
    const org = principal.consumer;
    const row = await this.changes.transaction(async (tx, record) => {
      // Serialise creates of one organisation so the limit cannot be raced past.
      await lockOrgSubscriptions(tx, org);
      const count = await tx.webhookSubscription.count({ where: { orgNumber: org } });
      if (count >= MAX_SUBSCRIPTIONS_PER_ORG)
        throw DomainError.conflict(
          WebhookCodes.tooMany,
          `Your organisation has ${count} webhook subscriptions, the most allowed; delete one first.`,
        );
      const created = await tx.webhookSubscription.create({
        data: {
          id: randomUUID(),
          orgNumber: org,
          url: body.url,
          eventTypes: body.eventTypes,
          secret: sealSecret(secret, this.config.keyEncryptionSecret),
          afterSeq: await this.outbox.currentFeedPosition(tx),
        },
      });
      await record({
        topic: 'webhook',
        id: created.id,
        audit: {
          actor: actorOf(principal),
          action: 'webhook.create',
          objectType: 'webhook',
          objectId: created.id,
          ownerOrg: org,
          after: { url: created.url, eventTypes: created.eventTypes },
        },
      });
      return created;
    }, TX_OPTIONS);
    return { id: row.id, url: row.url, eventTypes: [...row.eventTypes], secret };
  }

  async list(principal: Principal): Promise<WebhookPageDto> {
    const rows = await this.prisma.webhookSubscription.findMany({
      where: { orgNumber: principal.consumer },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return { links: { next: null }, data: rows.map(toWebhookDto) };
  }

  async get(principal: Principal, id: string): Promise<WebhookDto> {
    return toWebhookDto(await this.owned(principal, id));
  }

  /** Deletes the subscription and its delivery log; attempts in flight finish unrecorded. */
  async remove(principal: Principal, id: string): Promise<void> {
    await this.changes.transaction(async (tx, record) => {
      const row = isUuid(id)
        ? await tx.webhookSubscription.findUnique({ where: { id: id.toLowerCase() } })
        : null;
      if (!row || row.orgNumber !== principal.consumer) throw webhookNotFound(id);
      await tx.webhookSubscription.delete({ where: { id: row.id } });
      await record({
        topic: 'webhook',
        id: row.id,
        audit: {
          actor: actorOf(principal),
          action: 'webhook.delete',
          objectType: 'webhook',
          objectId: row.id,
          ownerOrg: row.orgNumber,
          before: { url: row.url, eventTypes: row.eventTypes, active: row.active },
        },
      });
    }, TX_OPTIONS);
  }

  /** The delivery log, newest first, 100 per page. */
  async deliveries(
    principal: Principal,
    id: string,
    query: WebhookDeliveriesQueryDto,
  ): Promise<WebhookDeliveryPageDto> {
    const sub = await this.owned(principal, id);
    const before =
      query.continuationToken !== undefined
        ? this.deliveryPages.decode(query.continuationToken, sub.id)
        : undefined;
    const where: Prisma.WebhookDeliveryWhereInput = {
      subscriptionId: sub.id,
      ...(before ? { id: { lt: before } } : {}),
      ...(query.status ? { status: query.status } : {}),
    };
    // Delivery ids are UUIDv7, so id order is creation order.
    const rows = await this.prisma.webhookDelivery.findMany({
      where,
      orderBy: { id: 'desc' },
      take: DELIVERY_PAGE_SIZE + 1,
    });
    const { items, lastIfMore } = cutPage(rows, DELIVERY_PAGE_SIZE);
    const next =
      lastIfMore &&
      pageLink(`${this.config.publicUrl}${WEBHOOKS_PATH}/${sub.id}/deliveries`, {
        continuationToken: this.deliveryPages.encode(sub.id, lastIfMore.id),
        status: query.status || undefined,
      });
    return { links: { next }, data: items.map(toDeliveryDto) };
  }

  private async owned(principal: Principal, id: string) {
    const row = isUuid(id)
      ? await this.prisma.webhookSubscription.findUnique({ where: { id: id.toLowerCase() } })
      : null;
    if (!row || row.orgNumber !== principal.consumer) throw webhookNotFound(id);
    return row;
  }
}
