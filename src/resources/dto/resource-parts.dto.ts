/**
 * The parts a resource body is made of (texts in nb/nn/en, competent authority, references,
 * contact points), apart from the body itself so resource.dto.ts stays readable.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
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
} from 'class-validator';

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
