import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { WEBHOOK_EVENT_TYPES } from '../webhook-events.js';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * Body of `POST /api/v1/webhooks`. Documentation only: the service validates the raw body itself
 * so that every problem (unknown fields, URL, each event type) is reported in one 400.
 */
export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://bank.example/consent-webhooks',
    maxLength: 2000,
    description:
      'Where deliveries are POSTed. `https` in production, and never a loopback, private or reserved address; ' +
      'outside production `http` and loopback receivers are allowed.',
  })
  url: string;

  @ApiProperty({
    example: ['accepted', 'rejected', 'revoked'],
    isArray: true,
    enum: WEBHOOK_EVENT_TYPES,
    description: 'Consent event types to receive, lowercase as in the events feed.',
  })
  eventTypes: string[];
}

export class WebhookCreatedDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  url: string;

  @ApiProperty({ isArray: true, enum: WEBHOOK_EVENT_TYPES })
  eventTypes: string[];

  @ApiProperty({
    example: 'whsec_Lq3u4f1Xo1d6nq0mJ0bYc9h0Y2n8r8oG6kqkJ8b0y2w',
    description:
      'The signing secret, shown only in this answer. `X-Signature` is `sha256=` + hex HMAC-SHA256 of the raw body ' +
      'with this string (its UTF-8 bytes) as the key.',
  })
  secret: string;
}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  url: string;

  @ApiProperty({ isArray: true, enum: WEBHOOK_EVENT_TYPES })
  eventTypes: string[];

  @ApiProperty({ description: 'False once disabled after 24 h of failed deliveries.' })
  active: boolean;

  @ApiProperty({ description: 'Failed attempts since the last successful delivery.' })
  failureCount: number;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'First failure since the last success.',
  })
  failingSince: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  disabledAt: string | null;

  @ApiProperty({ nullable: true, type: String })
  disabledReason: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class PageLinksDto {
  @ApiProperty({ nullable: true, type: String, description: 'URL of the next page; null on the last page.' })
  next: string | null;
}

export class WebhookPageDto {
  @ApiProperty({ type: PageLinksDto })
  links: PageLinksDto;

  @ApiProperty({ type: WebhookDto, isArray: true })
  data: WebhookDto[];
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid', description: 'The delivery (one event to one subscription).' })
  id: string;

  @ApiProperty({
    format: 'uuid',
    description: 'The event id: body `id` and `X-Webhook-Id`, the same in every attempt.',
  })
  eventId: string;

  @ApiProperty({ example: 'consent.accepted' })
  type: string;

  @ApiProperty({ description: 'The event as delivered (without `time`, which is set per attempt).' })
  data: Record<string, unknown>;

  @ApiProperty({ enum: DELIVERY_STATUSES })
  status: DeliveryStatus;

  @ApiProperty({ description: 'Attempts made so far (or in progress).' })
  attempts: number;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When a pending delivery is tried next.',
  })
  nextAttemptAt: string | null;

  @ApiProperty({ nullable: true, type: Number, description: 'HTTP status of the last answer.' })
  lastStatusCode: number | null;

  @ApiProperty({ nullable: true, type: String, description: 'Why the last attempt failed.' })
  lastError: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  deliveredAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: PageLinksDto })
  links: PageLinksDto;

  @ApiProperty({ type: WebhookDeliveryDto, isArray: true })
  data: WebhookDeliveryDto[];
}

export class WebhookDeliveriesQueryDto {
  @ApiPropertyOptional({ description: 'From `links.next` of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  continuationToken?: string;

  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}
