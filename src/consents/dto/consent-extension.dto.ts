/**
 * Wire shapes of consent extensions and versions (beyond Altinn). Altinn's DTOs are unchanged:
 * these are separate routes, so an unmodified Altinn client never meets them.
 */
import { ApiProperty } from '@nestjs/swagger';
import type { ConsentRight } from '../consent.record.js';
import { EXTENSION_STATUSES, type ConsentExtensionStatus } from '../consent-extension.record.js';
import { ConsentRightDto } from './consent-request.dto.js';

/** Documents the body; the service reads it itself, to answer in the consent API's style. */
export class CreateConsentExtensionDto {
  @ApiProperty({
    format: 'date-time',
    example: '2028-12-31T23:59:59Z',
    description:
      "The new end of the consent: later than its current `validTo`, and within each resource's `maxValidity` counted from now.",
  })
  validTo: string;
}

export class ConsentExtensionDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  consentRequestId: string;

  @ApiProperty({
    enum: EXTENSION_STATUSES,
    description:
      '`pending` until the person answers; `lapsed` when the consent ended (or changed) before that.',
  })
  status: ConsentExtensionStatus;

  @ApiProperty({ format: 'date-time', description: 'The `validTo` asked for.' })
  validTo: string;

  @ApiProperty({ format: 'date-time', description: 'The consent’s `validTo` when this was asked for.' })
  previousValidTo: string;

  @ApiProperty({ description: 'The consent version this extension would replace.' })
  baseVersion: number;

  @ApiProperty({ description: 'Organisation URN of who asked.' })
  requestedBy: string;

  @ApiProperty({ format: 'date-time' })
  created: string;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Who approved or declined (person URN), or cancelled (organisation URN).',
  })
  decidedBy: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  decided: string | null;

  @ApiProperty({ nullable: true, type: Number, description: 'The consent version approval made.' })
  version: number | null;
}

export class ConsentVersionDto {
  @ApiProperty({ description: '1 as first accepted; +1 per approved extension.' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  validTo: string;

  @ApiProperty({ type: [ConsentRightDto] })
  consentRights: ConsentRight[];

  @ApiProperty({ description: 'Person URN of who accepted (or approved the extension).' })
  acceptedBy: string;

  @ApiProperty({ format: 'date-time' })
  accepted: string;

  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'Null for version 1.' })
  extensionId: string | null;
}

export class ConsentVersionsDto {
  @ApiProperty({ format: 'uuid' })
  consentRequestId: string;

  @ApiProperty({ description: 'The version in force (the consent’s own `validTo` and rights).' })
  currentVersion: number;

  @ApiProperty({ type: [ConsentVersionDto], description: 'Oldest first; empty until accepted.' })
  versions: ConsentVersionDto[];
}
