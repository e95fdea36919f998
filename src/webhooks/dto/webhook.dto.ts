import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import {
  IsDefined,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  Validate,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import type { ValidationProblem } from '../../common/errors/domain-error.js';
import { INVALID_VALUE, type ProblemContext } from '../../common/errors/validation-errors.js';
import { DeploymentGroups } from '../../common/http/validation-pipe.js';
import { WebhookCodes } from '../webhook-errors.js';
import { WEBHOOK_EVENT_TYPES } from '../webhook-events.js';
import { webhookUrlProblem } from '../webhook-url.js';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const blank = (v: unknown) => v === undefined || v === null || v === '';

/** The SSRF rules of webhook-url.ts; `constraints[0]` says whether private targets are allowed. */
@ValidatorConstraint({ name: 'webhookUrl' })
class WebhookUrlRule implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    return blank(value) || webhookUrlProblem(value, { allowPrivate: args.constraints[0] === true }) === null;
  }

  defaultMessage(args: ValidationArguments): string {
    return webhookUrlProblem(args.value, { allowPrivate: args.constraints[0] === true }) ?? 'url is invalid';
  }
}

/** A non-empty list of known, lowercase event types, each named once; one problem per bad element. */
function eventTypeProblems(value: unknown, path: string): ValidationProblem[] {
  if (!Array.isArray(value) || value.length === 0)
    return [{ code: INVALID_VALUE, title: 'eventTypes must be a non-empty list', paths: [path] }];
  const problems: ValidationProblem[] = [];
  const seen = new Set<string>();
  value.forEach((t: unknown, i) => {
    const at = `${path}[${i}]`;
    if (typeof t !== 'string' || !WEBHOOK_EVENT_TYPES.includes(t))
      problems.push({
        code: WebhookCodes.invalidEventType,
        title: `Unknown event type ${JSON.stringify(t)}; use ${WEBHOOK_EVENT_TYPES.join(', ')} (lowercase)`,
        paths: [at],
      });
    else if (seen.has(t))
      problems.push({ code: INVALID_VALUE, title: `Event type ${t} is listed twice`, paths: [at] });
    else seen.add(t);
  });
  return problems;
}

@ValidatorConstraint({ name: 'webhookEventTypes' })
class EventTypesRule implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return value === undefined || value === null || eventTypeProblems(value, '').length === 0;
  }

  /** Never shown (the context lists the problems), but class-validator keeps a context only with a message. */
  defaultMessage(): string {
    return 'eventTypes must be a non-empty list of known event types, each once';
  }
}

const URL_PROBLEM: ProblemContext = { code: WebhookCodes.invalidUrl };
const EVENT_TYPE_PROBLEMS: ProblemContext = { problems: eventTypeProblems };

/**
 * Body of `POST /api/v1/webhooks`, validated by the global ValidationPipe: unknown members,
 * the URL (stricter in production) and each event type are all reported in one 400.
 */
export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://bank.example/consent-webhooks',
    maxLength: 2000,
    description:
      'Where deliveries are POSTed. `https` in production, and never a loopback, private or reserved address; ' +
      'outside production `http` and loopback receivers are allowed.',
  })
  @IsNotEmpty({ message: 'url is required' })
  @Validate(WebhookUrlRule, [false], { groups: [DeploymentGroups.production], context: URL_PROBLEM })
  @Validate(WebhookUrlRule, [true], { groups: [DeploymentGroups.outsideProduction], context: URL_PROBLEM })
  url: string;

  @ApiProperty({
    example: ['accepted', 'rejected', 'revoked'],
    isArray: true,
    enum: WEBHOOK_EVENT_TYPES,
    description: 'Consent event types to receive, lowercase as in the events feed.',
  })
  @IsDefined({ message: 'eventTypes is required' })
  @Validate(EventTypesRule, { context: EVENT_TYPE_PROBLEMS })
  eventTypes: string[];
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

/** The answer to a subscription: what GET shows of it, and the secret, this once. */
export class WebhookCreatedDto extends PickType(WebhookDto, ['id', 'url', 'eventTypes'] as const) {
  @ApiProperty({
    example: 'whsec_Lq3u4f1Xo1d6nq0mJ0bYc9h0Y2n8r8oG6kqkJ8b0y2w',
    description:
      'The signing secret, shown only in this answer. `X-Signature` is `sha256=` + hex HMAC-SHA256 of the raw body ' +
      'with this string (its UTF-8 bytes) as the key.',
  })
  secret: string;
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
