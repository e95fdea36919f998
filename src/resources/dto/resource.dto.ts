import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsEmail,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';

export const RESOURCE_IDENTIFIER_PATTERN = /^[a-z0-9_-]{4,}$/;
export const RESOURCE_IDENTIFIER_MAX = 100;
export const METADATA_KEY_PATTERN = /^[a-zA-Z0-9_]{1,50}$/;
export const TEMPLATE_ID_PATTERN = /^[a-z0-9_-]{1,50}$/;
/** Maskinporten scope grammar: `<prefix>:<subscope>`, e.g. `skd:inntekt` or `nav:aareg/v1`. */
export const MASKINPORTEN_SCOPE_PATTERN = /^[a-z0-9]+(?::[a-zA-Z0-9_.\-/]+)+$/;
export const AVAILABLE_FOR_TYPES = ['PrivatePerson', 'LegalEntityEnterprise'] as const;
export const ACCESS_LIST_MODES = ['Disabled', 'Enabled'] as const;
/** Altinn's ReferenceSource and ReferenceType values; only MaskinportenScope has a meaning here. */
export const REFERENCE_SOURCES = ['Default', 'Altinn1', 'Altinn2', 'Altinn3', 'ExternalPlatform'] as const;
export const REFERENCE_TYPES = [
  'Default',
  'Uri',
  'DelegationSchemeId',
  'MaskinportenScope',
  'ServiceCode',
  'ServiceEditionCode',
  'ApplicationId',
] as const;
export const DEFAULT_CONSENT_ROLES = ['DAGL', 'LEDE'];

export class RequiredTextDto {
  @ApiProperty({ maxLength: 500 })
  @IsDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  nb: string;

  @ApiProperty({ maxLength: 500 })
  @IsDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  nn: string;

  @ApiProperty({ maxLength: 500 })
  @IsDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  en: string;
}

export class OptionalTextDto {
  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  nb?: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  nn?: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  en?: string;
}

export class ConsentTextDto {
  @ApiProperty({ maxLength: 20000, example: 'Inntektsopplysninger for {inntektsaar}.' })
  @IsDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(20000)
  nb: string;

  @ApiProperty({ maxLength: 20000, example: 'Inntektsopplysningar for {inntektsaar}.' })
  @IsDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(20000)
  nn: string;

  @ApiProperty({ maxLength: 20000, example: 'Income information for {inntektsaar}.' })
  @IsDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(20000)
  en: string;
}

export class CompetentAuthorityDto {
  @ApiProperty({ example: 'skd', description: "The owning service owner's org code" })
  @IsDefined()
  @IsString()
  @Matches(/^[a-z][a-z0-9]{1,19}$/, {
    message: 'orgcode must be 2-20 lowercase letters or digits, starting with a letter',
  })
  orgcode: string;

  @ApiPropertyOptional({
    example: '974761076',
    description: "Filled in from the owner; if sent it must be the owner's org number",
  })
  @IsOptional()
  @IsString()
  organization?: string;

  @ApiPropertyOptional({
    type: OptionalTextDto,
    description: "Filled in from the owner's name; ignored on input",
  })
  @IsOptional()
  @IsObject()
  name?: Record<string, string>;
}

export class ResourceReferenceDto {
  @ApiPropertyOptional({
    enum: REFERENCE_SOURCES,
    example: 'Default',
    nullable: true,
    description: "Nullable, as in Altinn's ResourceReference: missing or null is stored as null.",
  })
  @IsOptional()
  @IsIn(REFERENCE_SOURCES)
  referenceSource?: string | null;

  @ApiProperty({ example: 'skd:inntekt', maxLength: 200 })
  @IsDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  reference: string;

  @ApiProperty({ enum: REFERENCE_TYPES, example: 'MaskinportenScope' })
  @IsDefined()
  @IsIn(REFERENCE_TYPES)
  referenceType: string;
}

export class ContactPointDto {
  @ApiPropertyOptional({ example: 'Tilgang', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  category?: string;

  @ApiPropertyOptional({ example: 'tilgang@example.no', maxLength: 320 })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  @IsEmail({}, { message: 'email must be a valid e-mail address' })
  email?: string;

  @ApiPropertyOptional({ example: '+47 22 00 00 00', maxLength: 30 })
  @IsOptional()
  @IsString()
  @Matches(/^\+?[0-9][0-9 ()-]{2,29}$/, {
    message: 'telephone must be a phone number (digits, spaces, +, -, parentheses)',
  })
  telephone?: string;

  @ApiPropertyOptional({ example: 'https://example.no/tilgang', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @IsUrl(
    { protocols: ['https'], require_protocol: true, require_tld: false },
    { message: 'contactPage must be an https URL' },
  )
  contactPage?: string;
}

/**
 * The writable part of a consent resource: a subset of Altinn's `ServiceResource`
 * (DESIGN §4.2). Validated by ResourceValidator (not the global pipe) so that field errors and
 * the checks that need the database arrive together in one 400.
 */
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

  @ApiPropertyOptional({ enum: ACCESS_LIST_MODES, default: 'Disabled' })
  @IsOptional()
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
  @ApiPropertyOptional({
    format: 'uuid',
    readOnly: true,
    description: 'On PUT: if sent, must be the current version (optimistic concurrency, else 412)',
  })
  @IsOptional()
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    message: 'versionId must be a UUID',
  })
  versionId?: string;

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
  @ApiProperty({ format: 'uuid' })
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    message: 'versionId must be a UUID',
  })
  versionId: string;
}

export class ResourceListQueryDto {
  @ApiPropertyOptional({ example: 'skd', description: "Only this owner's resources (org code)" })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9]{1,19}$/, { message: 'owner must be an org code' })
  owner?: string;
}
