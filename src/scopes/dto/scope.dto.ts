import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { SCOPE_NAME_PATTERN, SCOPE_PREFIX_PATTERN, SUBSCOPE_PATTERN } from '../../common/auth/scopes.js';
import { AT_MAX_AGE_MAX, AT_MAX_AGE_MIN } from '../scope-names.js';

/** Integration types a scope may be used from; this service issues Maskinporten-style tokens only. */
export const INTEGRATION_TYPES = ['maskinporten'] as const;
/** Only self-contained (JWT) access tokens are issued; Maskinporten's OPAQUE is not offered. */
export const TOKEN_TYPES = ['SELF_CONTAINED'] as const;

const NAME_MESSAGE = 'scope must be <prefix>:<subscope>, e.g. skd:inntekt';

/** `null` is refused where a field may be omitted but never cleared. */
const present = (_o: object, v: unknown) => v !== undefined;

export class CreateScopeDto {
  @ApiProperty({
    example: 'skd',
    pattern: SCOPE_PREFIX_PATTERN.source,
    description: 'Claimed by the first org that uses it.',
  })
  @IsDefined()
  @IsString()
  @Matches(SCOPE_PREFIX_PATTERN, { message: 'prefix must be 2-30 characters a-z and 0-9' })
  prefix: string;

  @ApiProperty({ example: 'inntekt', pattern: SUBSCOPE_PATTERN.source })
  @IsDefined()
  @IsString()
  @Matches(SUBSCOPE_PATTERN, { message: 'subscope must be 1-100 characters a-z, 0-9, ".", "_", "/" and "-"' })
  subscope: string;

  @ApiProperty({ example: 'Inntektsopplysninger for samtykkebasert lånesøknad', maxLength: 1000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  description: string;

  @ApiPropertyOptional({ enum: INTEGRATION_TYPES, isArray: true, default: ['maskinporten'] })
  @ValidateIf(present)
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(INTEGRATION_TYPES, { each: true })
  allowed_integration_types?: string[];

  @ApiPropertyOptional({ enum: TOKEN_TYPES, default: 'SELF_CONTAINED' })
  @ValidateIf(present)
  @IsIn(TOKEN_TYPES)
  token_type?: string;

  @ApiPropertyOptional({
    minimum: AT_MAX_AGE_MIN,
    maximum: AT_MAX_AGE_MAX,
    nullable: true,
    description:
      'Longest lifetime (seconds) of an access token carrying this scope; null = the issuer default.',
  })
  @IsOptional()
  @IsInt()
  @Min(AT_MAX_AGE_MIN)
  @Max(AT_MAX_AGE_MAX)
  at_max_age?: number | null;

  @ApiPropertyOptional({ default: true })
  @ValidateIf(present)
  @IsBoolean()
  active?: boolean;
}

/** Omitted fields keep their value; `at_max_age: null` returns to the issuer default. */
export class UpdateScopeDto {
  @ApiPropertyOptional({ maxLength: 1000 })
  @ValidateIf(present)
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional({ enum: INTEGRATION_TYPES, isArray: true })
  @ValidateIf(present)
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @ArrayMaxSize(INTEGRATION_TYPES.length)
  @IsIn(INTEGRATION_TYPES, { each: true })
  allowed_integration_types?: string[];

  @ApiPropertyOptional({ minimum: AT_MAX_AGE_MIN, maximum: AT_MAX_AGE_MAX, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(AT_MAX_AGE_MIN)
  @Max(AT_MAX_AGE_MAX)
  at_max_age?: number | null;

  @ApiPropertyOptional()
  @ValidateIf(present)
  @IsBoolean()
  active?: boolean;
}

export class ScopeQueryDto {
  @ApiProperty({ example: 'skd:inntekt', pattern: SCOPE_NAME_PATTERN.source })
  @IsDefined()
  @IsString()
  @Matches(SCOPE_NAME_PATTERN, { message: NAME_MESSAGE })
  scope: string;
}

export class OptionalScopeQueryDto {
  @ApiPropertyOptional({ example: 'skd:inntekt', pattern: SCOPE_NAME_PATTERN.source })
  @ValidateIf(present)
  @IsString()
  @Matches(SCOPE_NAME_PATTERN, { message: NAME_MESSAGE })
  scope?: string;
}

export class ScopeResponseDto {
  @ApiProperty({ example: 'skd:inntekt' })
  name: string;
  @ApiProperty({ example: 'skd' })
  prefix: string;
  @ApiProperty({ example: 'inntekt' })
  subscope: string;
  @ApiProperty()
  description: string;
  @ApiProperty({ enum: INTEGRATION_TYPES, isArray: true })
  allowed_integration_types: string[];
  @ApiProperty({ enum: TOKEN_TYPES })
  token_type: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Seconds; null = the issuer default.' })
  at_max_age: number | null;
  @ApiProperty()
  active: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '991825827',
    description: 'null for platform scopes.',
  })
  owner_orgno: string | null;
  @ApiProperty({ format: 'date-time' })
  created: string;
  @ApiProperty({ format: 'date-time' })
  last_updated: string;
}
