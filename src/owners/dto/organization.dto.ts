import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsOrgNumber } from '../../common/identifiers/identifier.decorators.js';
import { ORGANIZATION_FORM_PATTERN, ORGANIZATION_NAME_MAX } from '../organization.view.js';
import { PageOf } from './page-of.js';

export class OrganizationNameDto {
  @ApiProperty({ example: 'Skatteetaten', maxLength: ORGANIZATION_NAME_MAX })
  @IsDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(ORGANIZATION_NAME_MAX)
  nb: string;

  @ApiPropertyOptional({ example: 'Skatteetaten', maxLength: ORGANIZATION_NAME_MAX })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(ORGANIZATION_NAME_MAX)
  nn?: string;

  @ApiPropertyOptional({ example: 'Norwegian Tax Administration', maxLength: ORGANIZATION_NAME_MAX })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(ORGANIZATION_NAME_MAX)
  en?: string;
}

export class PutOrganizationDto {
  @ApiProperty({ type: OrganizationNameDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => OrganizationNameDto)
  name: OrganizationNameDto;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'ORGL',
    description: 'Organisation form code from Enhetsregisteret (AS, ORGL, BEDR …)',
  })
  @IsOptional()
  @IsString()
  @Matches(ORGANIZATION_FORM_PATTERN, {
    message: 'organizationForm must be an organisation form code of 2-10 uppercase letters or digits',
  })
  organizationForm?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: null,
    description: 'Main unit (overordnet enhet) of a sub-unit; must be in the register already',
  })
  @IsOptional()
  @IsOrgNumber()
  parentOrgNumber?: string | null;

  // Read-only members of GET, accepted and ignored on PUT (DESIGN §11).
  @ApiPropertyOptional({ readOnly: true })
  @IsOptional()
  orgNumber?: unknown;

  @ApiPropertyOptional({ readOnly: true })
  @IsOptional()
  createdAt?: unknown;

  @ApiPropertyOptional({ readOnly: true })
  @IsOptional()
  updatedAt?: unknown;
}

export class OrganizationDto {
  @ApiProperty({ example: '974761076' })
  orgNumber: string;

  @ApiProperty({ type: OrganizationNameDto })
  name: OrganizationNameDto;

  @ApiProperty({ type: String, nullable: true, example: 'ORGL' })
  organizationForm: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  parentOrgNumber: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class OrganizationPageDto extends PageOf(OrganizationDto) {}

export class ImportSummaryDto {
  @ApiProperty({ example: 2 })
  created: number;

  @ApiProperty({ example: 0 })
  updated: number;

  @ApiProperty({ example: 0 })
  unchanged: number;
}
