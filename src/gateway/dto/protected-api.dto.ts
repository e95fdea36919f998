import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

/** `/proxy/{name}`: lowercase letters, digits, `-` and `_`, 2-64 characters, starting alphanumeric. */
export const API_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{1,63}$/;
/** Maskinporten-style `<prefix>:<subscope>` (also external issuers' scopes, so a little wider). */
export const REQUIRED_SCOPE_PATTERN = /^[A-Za-z0-9_-]{1,50}:[A-Za-z0-9._/-]{1,200}$/;
/** Consent resource identifiers (DESIGN §4.2). */
export const RESOURCE_ID_PATTERN = /^[a-z0-9_-]{4,100}$/;
/** Any action string (DESIGN §10), without whitespace. */
export const ACTION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
/** RFC 9110 token for a header name. */
export const HEADER_NAME_PATTERN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
export const QUERY_NAME_PATTERN = /^[A-Za-z0-9._~-]{1,100}$/;

export const TIMEOUT_MIN_MS = 100;
export const TIMEOUT_MAX_MS = 300_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_BODY_BYTES = 100 * 1024 * 1024;
export const MAX_BODY_BYTES_LIMIT = 10 * 1024 * 1024 * 1024;

/** `null` is refused where a field may be omitted but never cleared. */
const present = (_o: object, v: unknown) => v !== undefined;

export class SubjectDto {
  @ApiProperty({ enum: ['header', 'query'], description: 'Where the request names the data subject' })
  @IsIn(['header', 'query'])
  in: 'header' | 'query';

  @ApiProperty({ example: 'X-Subject', description: 'Header or query parameter name' })
  @IsString()
  @MaxLength(100)
  name: string;
}

export class RateRuleDto {
  @ApiProperty({ minimum: 1, maximum: 1_000_000, example: 100 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  requests: number;

  @ApiProperty({ minimum: 1, maximum: 86_400, example: 60 })
  @IsInt()
  @Min(1)
  @Max(86_400)
  perSeconds: number;
}

export class RateLimitDto {
  @ApiPropertyOptional({
    type: RateRuleDto,
    description: 'Per consumer organisation (token bucket per replica)',
  })
  @ValidateIf(present)
  @IsObject()
  @ValidateNested()
  @Type(() => RateRuleDto)
  perConsumer?: RateRuleDto;

  @ApiPropertyOptional({ type: RateRuleDto, description: 'Per consent (token bucket per replica)' })
  @ValidateIf(present)
  @IsObject()
  @ValidateNested()
  @Type(() => RateRuleDto)
  perConsent?: RateRuleDto;
}

/** Body of `POST /admin/v1/apis` and `PUT /admin/v1/apis/{name}` (PUT replaces every field). */
export class ProtectedApiBodyDto {
  @ApiProperty({
    example: 'inntekt',
    pattern: API_NAME_PATTERN.source,
    description: 'Calls go to `/proxy/{name}/…`',
  })
  @ValidateIf((_o, v) => v !== undefined)
  @IsString()
  @Matches(API_NAME_PATTERN, {
    message: 'name must be 2-64 characters a-z, 0-9, "-" and "_", starting with a letter or digit',
  })
  name: string;

  @ApiProperty({
    example: 'https://api.skatteetaten.example/inntekt/v1',
    description: 'http(s) URL; the path after `/proxy/{name}` is appended',
  })
  @IsString()
  @MinLength(8)
  @MaxLength(2048)
  upstreamUrl: string;

  @ApiProperty({ example: ['skd:inntekt'], description: 'The token must carry every one of these scopes' })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @Matches(REQUIRED_SCOPE_PATTERN, { each: true, message: 'each scope must be <prefix>:<subscope>' })
  requiredScopes: string[];

  @ApiProperty({
    example: ['ske-samtykke-inntekt'],
    description: "Consent resources (the caller's own) whose consents this API honours",
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @Matches(RESOURCE_ID_PATTERN, {
    each: true,
    message: 'each consent resource must be an identifier (a-z, 0-9, "-", "_", at least 4)',
  })
  consentResources: string[];

  @ApiPropertyOptional({ default: 'consent', description: 'A consent right must contain this action' })
  @ValidateIf(present)
  @IsString()
  @Matches(ACTION_PATTERN, { message: 'requiredAction must be 1-100 characters without whitespace' })
  requiredAction?: string;

  @ApiPropertyOptional({
    enum: ['local', 'token'],
    default: 'local',
    description:
      '`local`: the consent must exist here and be active (revocation takes effect at once). `token`: trust the signed authorization details (external Altinn; revocation lasts until the token expires).',
  })
  @ValidateIf(present)
  @IsIn(['local', 'token'])
  consentSource?: 'local' | 'token';

  @ApiPropertyOptional({
    nullable: true,
    example: 'https://api.skatteetaten.example/inntekt',
    description: 'When set, the token `aud` must contain it',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  audience?: string | null;

  @ApiPropertyOptional({
    type: SubjectDto,
    nullable: true,
    description: 'Where the request names the data subject; it must equal the consent `from`',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SubjectDto)
  subject?: SubjectDto | null;

  @ApiPropertyOptional({ minimum: TIMEOUT_MIN_MS, maximum: TIMEOUT_MAX_MS, default: DEFAULT_TIMEOUT_MS })
  @ValidateIf(present)
  @IsInt()
  @Min(TIMEOUT_MIN_MS)
  @Max(TIMEOUT_MAX_MS)
  timeoutMs?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_BODY_BYTES_LIMIT, default: DEFAULT_MAX_BODY_BYTES })
  @ValidateIf(present)
  @IsInt()
  @Min(0)
  @Max(MAX_BODY_BYTES_LIMIT)
  maxBodyBytes?: number;

  @ApiPropertyOptional({ type: RateLimitDto, nullable: true })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RateLimitDto)
  rateLimit?: RateLimitDto | null;
}

export class ApiNameParamDto {
  @ApiProperty({ example: 'inntekt' })
  @IsString()
  @Matches(API_NAME_PATTERN, { message: 'name must be 2-64 characters a-z, 0-9, "-" and "_"' })
  name: string;
}

export class ProtectedApiDto {
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Org number of the owner' }) owner: string;
  @ApiProperty() upstreamUrl: string;
  @ApiProperty({ type: [String] }) requiredScopes: string[];
  @ApiProperty({ type: [String] }) consentResources: string[];
  @ApiProperty() requiredAction: string;
  @ApiProperty({ enum: ['local', 'token'] }) consentSource: 'local' | 'token';
  @ApiProperty({ type: String, nullable: true }) audience: string | null;
  @ApiProperty({ type: SubjectDto, nullable: true }) subject: SubjectDto | null;
  @ApiProperty() timeoutMs: number;
  @ApiProperty() maxBodyBytes: number;
  @ApiProperty({ type: RateLimitDto, nullable: true }) rateLimit: RateLimitDto | null;
  @ApiProperty({
    example: 'https://gateway.example/proxy/inntekt',
    description: 'Where consumers call the API',
  })
  proxyUrl: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class PageLinksDto {
  @ApiProperty({ type: String, nullable: true }) next: string | null;
}

export class ProtectedApiPageDto {
  @ApiProperty({ type: PageLinksDto }) links: PageLinksDto;
  @ApiProperty({ type: [ProtectedApiDto] }) data: ProtectedApiDto[];
}

export class UsageQueryDto {
  @ApiPropertyOptional({ description: 'ISO 8601 start (inclusive); default 24 hours ago' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 end (exclusive); default now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class UsageRowDto {
  @ApiProperty({ description: 'Start of the minute' }) minute: string;
  @ApiProperty({ description: "Consumer org number ('' when unidentified)" }) consumer: string;
  @ApiProperty({ description: "Consent id ('' when none)" }) consentId: string;
  @ApiProperty({ description: '`upstream_2xx` … `upstream_5xx`, or the gateway problem code' })
  outcome: string;
  @ApiProperty() count: number;
}

export class UsagePageDto {
  @ApiProperty({ type: PageLinksDto }) links: PageLinksDto;
  @ApiProperty({ type: [UsageRowDto] }) data: UsageRowDto[];
}
