import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { ACCESS_REQUEST_STATUSES, type AccessRequestStatus } from '../access-request.status.js';

/** Same grammar as the scope registry (`<prefix>:<subscope>`), checked again against the registry. */
const SCOPE_NAME = /^[a-z0-9]{2,30}:[a-z0-9._/-]{1,100}$/;
const RESOURCE_IDENTIFIER = /^[a-z0-9_-]{4,100}$/;
/** A list identifier of the approving owner, or the list URN `urn:altinn:access-list:<orgcode>:<id>`. */
export const ACCESS_LIST_REF =
  /^(?:[a-z0-9_-]{1,100}|urn:altinn:access-list:[a-z0-9][a-z0-9-]{0,49}:[a-z0-9_-]{1,100})$/;

export const MAX_SCOPES_PER_REQUEST = 20;

export class CreateAccessRequestDto {
  @ApiProperty({ example: 'skd-inntekt-samtykke', description: 'Identifier of the consent resource' })
  @IsDefined()
  @IsString()
  @Matches(RESOURCE_IDENTIFIER, {
    message: 'resource must be a resource identifier (4-100 of a-z, 0-9, _ and -)',
  })
  resource: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['skd:inntekt'],
    default: [],
    maxItems: MAX_SCOPES_PER_REQUEST,
    description: "Scopes of the resource's owner to be granted; every one must belong to that owner",
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SCOPES_PER_REQUEST)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(SCOPE_NAME, { each: true, message: 'each scope must be a scope name such as skd:inntekt' })
  scopes?: string[];

  @ApiPropertyOptional({
    example: 'Vi er en bank og trenger inntektsopplysninger for kredittvurdering.',
    maxLength: 2000,
    default: '',
    description: 'Shown to the owner',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  message?: string;
}

export class ApproveAccessRequestDto {
  @ApiPropertyOptional({
    example: 'banker',
    description:
      "Identifier of one of the owner's own access lists (or its URN `urn:altinn:access-list:<orgcode>:<id>`). " +
      'The consumer is added to it, and the list is connected to the resource (with no action filter) ' +
      'when it is not connected yet. Required when the resource has `accessListMode: "Enabled"`. ' +
      "Another owner's list: 403 AR-00005; an unknown list: 404 AR-00006.",
  })
  @IsOptional()
  @IsString()
  @Matches(ACCESS_LIST_REF, {
    message:
      'accessList must be an access list identifier (1-100 of a-z, 0-9, _ and -) or an access list URN',
  })
  accessList?: string;
}

export class RejectAccessRequestDto {
  @ApiProperty({
    example: 'Tjenesten er bare åpen for finansforetak.',
    maxLength: 2000,
    description: 'Shown to the consumer',
  })
  @IsDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason: string;
}

export class AccessRequestIdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

export const ACCESS_REQUEST_ROLES = ['consumer', 'owner'] as const;
export type AccessRequestRole = (typeof ACCESS_REQUEST_ROLES)[number];

export class ListAccessRequestsQueryDto {
  @ApiPropertyOptional({ enum: ACCESS_REQUEST_STATUSES, example: 'pending' })
  @IsOptional()
  @IsIn(ACCESS_REQUEST_STATUSES, { message: `status must be one of ${ACCESS_REQUEST_STATUSES.join(', ')}` })
  status?: AccessRequestStatus;

  @ApiPropertyOptional({
    enum: ACCESS_REQUEST_ROLES,
    description:
      '`consumer`: the requests the caller made; `owner`: the requests for the caller’s resources; absent: both',
  })
  @IsOptional()
  @IsIn(ACCESS_REQUEST_ROLES, { message: 'role must be consumer or owner' })
  role?: AccessRequestRole;

  @ApiPropertyOptional({ example: 'skd-inntekt-samtykke' })
  @IsOptional()
  @IsString()
  @Matches(RESOURCE_IDENTIFIER, { message: 'resource must be a resource identifier' })
  resource?: string;

  @ApiPropertyOptional({ description: 'Opaque token from `links.next`' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  continuationToken?: string;
}

export class ContactPointViewDto {
  @ApiPropertyOptional({ example: 'Tilgang' })
  category?: string;

  @ApiPropertyOptional({ example: 'tilgang@skatteetaten.no' })
  email?: string;

  @ApiPropertyOptional({ example: '+47 22 07 70 00' })
  telephone?: string;

  @ApiPropertyOptional({ example: 'https://skatteetaten.no/tilgang' })
  contactPage?: string;
}

export class AccessRequestDto {
  @ApiProperty({ format: 'uuid', example: '0193a0f4-5b1e-7c3d-9a2b-1f2e3d4c5b6a' })
  id: string;

  @ApiProperty({ example: 'skd-inntekt-samtykke' })
  resource: string;

  @ApiProperty({ example: '991825827', description: 'The organisation asking' })
  consumerOrgNumber: string;

  @ApiProperty({ example: '974761076', description: "The resource's service owner, who decides" })
  ownerOrgNumber: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'DNB BANK ASA',
    description: 'Name of the consumer from the organisation register (nb); null when unknown',
  })
  consumerName?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'Skatteetaten',
    description: 'Name of the service owner (nb); null when unknown',
  })
  ownerName?: string | null;

  @ApiProperty({ type: [String], example: ['skd:inntekt'] })
  scopes: string[];

  @ApiProperty({ example: 'Vi er en bank og trenger inntektsopplysninger for kredittvurdering.' })
  message: string;

  @ApiProperty({ enum: ACCESS_REQUEST_STATUSES, example: 'pending' })
  status: AccessRequestStatus;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why the owner rejected it' })
  reason: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Identifier of the access list the consumer was added to on approval',
  })
  accessList: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({
    type: [ContactPointViewDto],
    description:
      "The resource's current contact points (who to ask about access); empty when the resource is gone",
  })
  contactPoints: ContactPointViewDto[];
}

export class AccessRequestPageLinksDto {
  @ApiProperty({ type: String, nullable: true, description: 'URL of the next page; null on the last page' })
  next: string | null;
}

export class AccessRequestPageDto {
  @ApiProperty({ type: AccessRequestPageLinksDto })
  links: AccessRequestPageLinksDto;

  @ApiProperty({ type: [AccessRequestDto] })
  data: AccessRequestDto[];
}
