/**
 * Wire shapes of Altinn's consent API (DESIGN §4.6, fixtures/altinn-wire-samples.json).
 *
 * The request classes document the body for OpenAPI only: the body is validated by
 * `consent-request.parser.ts`, because Altinn's checks need a fixed order, Altinn's codes and
 * JSON-pointer paths, case-insensitive property names, and lookups in the resource registry —
 * more than class-validator's decorators can say.
 */
import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { PageOf } from '../../common/http/page-of.js';
import type { ConsentEventType, ConsentRight, ConsentStatus } from '../consent.record.js';
import { CONSENT_EVENT_TYPES, CONSENT_STATUSES } from '../consent.record.js';

export class ConsentResourceAttributeDto {
  @ApiProperty({ enum: ['urn:altinn:resource'], example: 'urn:altinn:resource' })
  type: 'urn:altinn:resource';

  @ApiProperty({ example: 'ske-samtykke-sbl-inntekt', description: 'Identifier of a consent resource.' })
  value: string;
}

export class ConsentRightDto {
  @ApiProperty({ type: [String], example: ['consent'], minItems: 1 })
  action: string[];

  @ApiProperty({
    type: [ConsentResourceAttributeDto],
    minItems: 1,
    maxItems: 1,
    description: 'Exactly one resource.',
  })
  resource: ConsentResourceAttributeDto[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    nullable: true,
    example: { fraogmed: '2024-01', tilogmed: '2024-12' },
    description:
      "Values for the resource's metadata keys (matched case-insensitively). Keys the resource marks optional may be left out.",
  })
  metadata?: Record<string, string> | null;

  @ApiPropertyOptional({
    description:
      'Beyond Altinn, only with `allowPartialAcceptance: true`: the person cannot accept the request without this right. Shown on the consent only when true.',
  })
  required?: boolean;
}

/** A right of a consent as the API shows it: on a partial request, also whether it was accepted. */
export class ConsentRightDetailsDto extends ConsentRightDto {
  @ApiPropertyOptional({
    description:
      'Beyond Altinn, only on a request with `allowPartialAcceptance` once the person has decided: whether this right was accepted (tokens carry only accepted rights).',
  })
  accepted?: boolean;
}

export class LocalizedMessageDto {
  @ApiPropertyOptional()
  nb?: string;

  @ApiPropertyOptional()
  nn?: string;

  @ApiPropertyOptional()
  en?: string;
}

export class CreateConsentRequestDto {
  @ApiProperty({
    format: 'uuid',
    description:
      'Chosen by the consumer; replaying the same id with the same parties returns the existing request.',
  })
  id: string;

  @ApiProperty({
    example: 'urn:altinn:person:identifier-no:25922947409',
    description: 'Person or organisation URN of the data subject.',
  })
  from: string;

  @ApiPropertyOptional({ nullable: true, description: 'Person URN: only this person may decide.' })
  requiredDelegator?: string | null;

  @ApiProperty({
    example: 'urn:altinn:organization:identifier-no:991825827',
    description:
      "Organisation URN of the consumer; must be the caller's organisation unless the token has `altinn:consentrequests.org`.",
  })
  to: string;

  @ApiProperty({ format: 'date-time', description: 'In the future.' })
  validTo: string;

  @ApiProperty({ type: [ConsentRightDto], minItems: 1 })
  consentRights: ConsentRightDto[];

  @ApiPropertyOptional({ type: LocalizedMessageDto, nullable: true })
  requestMessage?: LocalizedMessageDto | null;

  @ApiProperty({
    example: 'https://bank.example/consent/done',
    description: 'Absolute http(s) URL or an app URL with a custom scheme.',
  })
  redirectUrl: string;

  @ApiPropertyOptional({ enum: ['hide', 'show'], default: 'hide' })
  portalViewMode?: string;

  @ApiPropertyOptional({
    default: false,
    description:
      'Beyond Altinn: let the person accept some of the rights and decline the others (needs at least two rights; mark rights the request cannot do without with `required: true`). See docs/consent-lifecycle.md#partial-acceptance.',
  })
  allowPartialAcceptance?: boolean;
}

export class ConsentEventDto {
  @ApiProperty({ format: 'uuid' })
  consentEventID: string;

  @ApiProperty({ format: 'date-time' })
  created: string;

  @ApiProperty({ nullable: true, type: String, example: 'urn:altinn:person:identifier-no:25922947409' })
  performedBy: string | null;

  @ApiProperty({ enum: CONSENT_STATUSES })
  eventType: ConsentStatus;

  @ApiProperty({ format: 'uuid' })
  consentRequestID: string;

  @ApiPropertyOptional({
    description:
      'Beyond Altinn: why the data owner or the platform operator revoked the consent (only on such a `revoked` event)',
    example: 'Suspected fraud reported by the account holder',
  })
  reason?: string;
}

export class ConsentDetailsDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  from: string;

  @ApiProperty()
  to: string;

  @ApiProperty({ nullable: true, type: String })
  requiredDelegator: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Supplier organisation acting for the consumer (token `supplier`).',
  })
  handledBy: string | null;

  @ApiProperty({ format: 'date-time' })
  validTo: string;

  @ApiProperty({ type: [ConsentRightDetailsDto] })
  consentRights: ConsentRight[];

  @ApiProperty({ type: LocalizedMessageDto, nullable: true })
  requestMessage: Record<string, string> | null;

  @ApiProperty({
    enum: CONSENT_STATUSES,
    description: 'An accepted consent past `validTo` reads as `expired`.',
  })
  status: ConsentStatus;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  consented: string | null;

  @ApiProperty()
  redirectUrl: string;

  @ApiProperty({ type: [ConsentEventDto] })
  consentRequestEvents: ConsentEventDto[];

  @ApiProperty({ description: 'Where to send the end user: `${PUBLIC_URL}/consent/request?id=<id>`.' })
  viewUri: string;

  @ApiProperty({ enum: ['hide', 'show'] })
  portalViewMode: string;

  @ApiPropertyOptional({
    description:
      'Beyond Altinn: present (true) only when the request allows partial acceptance; each right then says `required` and, once decided, `accepted`.',
  })
  allowPartialAcceptance?: boolean;
}

export class PageLinksDto {
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Path and query of the next page; null when there is none.',
  })
  next: string | null;
}

// The list and the events feed answer pages of the same shape: the next page's link and the items.
export class ConsentDetailsPageDto extends PageOf(ConsentDetailsDto, PageLinksDto) {}

export class ConsentStatusChangeDto {
  @ApiProperty({ format: 'uuid' })
  consentRequestId: string;

  @ApiProperty({
    enum: CONSENT_EVENT_TYPES,
    description:
      '`expiring` and `usage_summary` (beyond Altinn) only when asked for by `eventType` (e.g. `eventType=usage_summary`)',
  })
  eventType: ConsentEventType;

  @ApiProperty({ format: 'date-time' })
  changedDate: string;
}

export class ConsentEventsPageDto extends PageOf(ConsentStatusChangeDto, PageLinksDto) {}

export class ConsentLookupRequestDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'Party URN the consent must be from.' })
  from: string;

  @ApiProperty({ description: 'Organisation URN of the consumer asking for a token (`to` or `handledBy`).' })
  to: string;
}

/** What the issuer lookup answers: the consent's parties as in its details, and the terms a token may carry. */
export class ConsentLookupResponseDto extends PickType(ConsentDetailsDto, ['id', 'from', 'to'] as const) {
  @ApiProperty({ nullable: true, type: String })
  handledBy: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  consented: string | null;

  @ApiProperty({ format: 'date-time' })
  validTo: string;

  @ApiProperty({
    type: [ConsentRightDto],
    description:
      'The rights the consent grants: on a request the person accepted in part (beyond Altinn), only the accepted ones.',
  })
  consentRights: ConsentRight[];
}
