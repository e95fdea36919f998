import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsUuid } from '../../common/identifiers/identifier.decorators.js';
import { UUID_PATTERN } from '../../common/identifiers/uuid.js';
import {
  RequiredTextDto,
  OptionalTextDto,
  ConsentTextDto,
  CompetentAuthorityDto,
  ResourceReferenceDto,
  ContactPointDto,
} from './resource-parts.dto.js';

export { REFERENCE_SOURCES, REFERENCE_TYPES } from './resource-parts.dto.js';

export const RESOURCE_IDENTIFIER_PATTERN = /^[a-z0-9_-]{4,}$/;
export const RESOURCE_IDENTIFIER_MAX = 100;
export const METADATA_KEY_PATTERN = /^[a-zA-Z0-9_]{1,50}$/;
export const TEMPLATE_ID_PATTERN = /^[a-z0-9_-]{1,50}$/;
/** Maskinporten scope grammar: `<prefix>:<subscope>`, e.g. `skd:inntekt` or `nav:aareg/v1`. */
export const MASKINPORTEN_SCOPE_PATTERN = /^[a-z0-9]+(?::[a-zA-Z0-9_.\-/]+)+$/;
export const AVAILABLE_FOR_TYPES = ['PrivatePerson', 'LegalEntityEnterprise'] as const;
export const ACCESS_LIST_MODES = ['Disabled', 'Enabled'] as const;
export const DEFAULT_CONSENT_ROLES = ['DAGL', 'LEDE'];

export class ResourceBodyDto {
  @ApiProperty({
    example: 'skd-inntekt-samtykke',
    pattern: RESOURCE_IDENTIFIER_PATTERN.source,
    maxLength: 100,
  })
  @IsDefined()
  @IsString()
  @Matches(RESOURCE_IDENTIFIER_PATTERN, {
    message: 'identifier must be at least 4 lowercase letters, digits, _ or -',
  })
  @MaxLength(RESOURCE_IDENTIFIER_MAX)
  identifier: string;

  @ApiProperty({ type: RequiredTextDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => RequiredTextDto)
  title: RequiredTextDto;

  @ApiPropertyOptional({ type: OptionalTextDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => OptionalTextDto)
  description?: OptionalTextDto;

  @ApiProperty({ type: CompetentAuthorityDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => CompetentAuthorityDto)
  hasCompetentAuthority: CompetentAuthorityDto;

  @ApiPropertyOptional({ enum: ['Consent'], default: 'Consent' })
  @IsOptional()
  @IsIn(['Consent'], { message: 'resourceType must be Consent' })
  resourceType?: 'Consent';

  @ApiPropertyOptional({
    example: 'default',
    default: 'default',
    description: 'Id of an active consent template',
  })
  @IsOptional()
  @IsString()
  @Matches(TEMPLATE_ID_PATTERN, { message: 'consentTemplate must be a template id' })
  consentTemplate?: string;

  @ApiProperty({
    type: ConsentTextDto,
    description: 'Markdown; every {key} must be a key of consentMetadata',
  })
  @IsDefined()
  @ValidateNested()
  @Type(() => ConsentTextDto)
  consentText: ConsentTextDto;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: { optional: { type: 'boolean' } },
      required: ['optional'],
    },
    example: { inntektsaar: { optional: false } },
    description: 'Metadata keys (^[a-zA-Z0-9_]{1,50}$) the consumer fills in; optional ones may be left out',
  })
  @IsOptional()
  @IsObject()
  consentMetadata?: Record<string, { optional: boolean }>;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  isOneTimeConsent?: boolean;

  // Not @IsOptional: that lets null through, which would then read as "omitted". On a PUT an
  // omitted mode keeps the current one, so a client that drops the member (or sends null)
  // cannot open an Enabled resource to every consumer by accident (RT3-7).
  @ApiPropertyOptional({
    enum: ACCESS_LIST_MODES,
    default: 'Disabled',
    description:
      "Omitted on POST: `Disabled` (Altinn's default). Omitted on PUT: the current value is kept, so a " +
      'PUT without it never opens an `Enabled` resource to every consumer. `null` is refused (400).',
  })
  @ValidateIf((_body, value) => value !== undefined)
  @IsIn(ACCESS_LIST_MODES)
  accessListMode?: 'Disabled' | 'Enabled';

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  delegable?: boolean;

  @ApiPropertyOptional({ enum: AVAILABLE_FOR_TYPES, isArray: true, default: [...AVAILABLE_FOR_TYPES] })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(AVAILABLE_FOR_TYPES, { each: true })
  availableForType?: string[];

  @ApiPropertyOptional({ type: [ResourceReferenceDto], maxItems: 50 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ResourceReferenceDto)
  resourceReferences?: ResourceReferenceDto[];

  @ApiPropertyOptional({ type: [ContactPointDto], maxItems: 20 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ContactPointDto)
  contactPoints?: ContactPointDto[];

  @ApiPropertyOptional({ example: DEFAULT_CONSENT_ROLES, default: DEFAULT_CONSENT_ROLES, maxItems: 50 })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @Matches(/^[A-Z]{2,10}$/, {
    each: true,
    message: 'each consent role must be 2-10 uppercase letters (e.g. DAGL)',
  })
  consentRoles?: string[];

  // Read-only fields of the response: accepted so a client can PUT back what it GETs.
  // DESIGN §11: read-only members are accepted and ignored, so GET → edit → PUT works; a stale
  // versionId is no reason to refuse (it was a 412 RR-00005 until RT3-7).
  @ApiPropertyOptional({ type: String, format: 'uuid', readOnly: true, description: 'Ignored on input' })
  @IsOptional()
  versionId?: unknown;

  @ApiPropertyOptional({ readOnly: true, description: 'Ignored on input' })
  @IsOptional()
  version?: unknown;

  @ApiPropertyOptional({ readOnly: true, format: 'date-time', description: 'Ignored on input' })
  @IsOptional()
  createdAt?: unknown;

  @ApiPropertyOptional({ readOnly: true, format: 'date-time', description: 'Ignored on input' })
  @IsOptional()
  updatedAt?: unknown;
}

/** A stored resource version as returned by every read. */
export class ResourceDto {
  @ApiProperty({ example: 'skd-inntekt-samtykke' })
  identifier: string;

  @ApiProperty({ type: RequiredTextDto })
  title: RequiredTextDto;

  @ApiPropertyOptional({ type: OptionalTextDto })
  description?: OptionalTextDto;

  @ApiProperty({ type: CompetentAuthorityDto })
  hasCompetentAuthority: { orgcode: string; organization: string; name: Record<string, string> };

  @ApiProperty({ enum: ['Consent'] })
  resourceType: 'Consent';

  @ApiProperty({ example: 'default' })
  consentTemplate: string;

  @ApiProperty({ type: ConsentTextDto })
  consentText: ConsentTextDto;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', properties: { optional: { type: 'boolean' } } },
  })
  consentMetadata: Record<string, { optional: boolean }>;

  @ApiProperty()
  isOneTimeConsent: boolean;

  @ApiProperty({ enum: ACCESS_LIST_MODES })
  accessListMode: 'Disabled' | 'Enabled';

  @ApiProperty()
  delegable: boolean;

  @ApiProperty({ enum: AVAILABLE_FOR_TYPES, isArray: true })
  availableForType: string[];

  @ApiProperty({ type: [ResourceReferenceDto] })
  resourceReferences: ResourceReferenceDto[];

  @ApiProperty({ type: [ContactPointDto] })
  contactPoints: ContactPointDto[];

  @ApiProperty({ example: DEFAULT_CONSENT_ROLES })
  consentRoles: string[];

  @ApiProperty({ format: 'uuid', description: 'Changes on every update' })
  versionId: string;

  @ApiProperty({ example: 1, description: 'Version sequence number' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', description: 'When this version was written' })
  updatedAt: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only on old versions of a deleted resource' })
  deletedAt?: string;
}

export class ResourceVersionSummaryDto {
  @ApiProperty({ format: 'uuid' })
  versionId: string;

  @ApiProperty({ example: 1 })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ description: 'True for the version GET /{id} returns', example: true })
  current: boolean;
}

export class ResourceIdParamDto {
  @ApiProperty({ example: 'skd-inntekt-samtykke' })
  @Matches(RESOURCE_IDENTIFIER_PATTERN, {
    message: 'id must be at least 4 lowercase letters, digits, _ or -',
  })
  @MaxLength(RESOURCE_IDENTIFIER_MAX)
  id: string;
}

export class ResourceVersionParamsDto extends ResourceIdParamDto {
  @ApiProperty({ format: 'uuid', pattern: UUID_PATTERN.source })
  @IsUuid()
  versionId: string;
}

export class ResourceListQueryDto {
  @ApiPropertyOptional({ example: 'skd', description: "Only this owner's resources (org code)" })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9]{1,19}$/, { message: 'owner must be an org code' })
  owner?: string;
}
