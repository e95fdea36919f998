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
import { ORGCODE_PATTERN } from '../owner.view.js';
import { PageOf } from './page-of.js';

export class OwnerNameDto {
  @ApiProperty({ example: 'Skatteetaten', maxLength: 200 })
  @IsDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  nb: string;

  @ApiProperty({ example: 'Skatteetaten', maxLength: 200 })
  @IsDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  nn: string;

  @ApiProperty({ example: 'Norwegian Tax Administration', maxLength: 200 })
  @IsDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  en: string;
}

export class OrgcodeParamDto {
  @ApiProperty({ example: 'skd', pattern: ORGCODE_PATTERN.source })
  @Matches(ORGCODE_PATTERN, {
    message: 'orgcode must be 2-20 lowercase letters or digits, starting with a letter',
  })
  orgcode: string;
}

export class PutOwnerDto {
  @ApiProperty({ example: '974761076', description: 'Organisation number (9 digits, checksum-validated)' })
  @IsDefined()
  @IsOrgNumber()
  orgNumber: string;

  @ApiProperty({ type: OwnerNameDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => OwnerNameDto)
  name: OwnerNameDto;
}

export class OwnerDto {
  @ApiProperty({ example: 'skd' })
  orgcode: string;

  @ApiProperty({ example: '974761076' })
  orgNumber: string;

  @ApiProperty({ type: OwnerNameDto })
  name: OwnerNameDto;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class OwnerPageDto extends PageOf(OwnerDto) {}

export class ContinuationQueryDto {
  @ApiPropertyOptional({ description: 'Opaque token from `links.next`' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  continuationToken?: string;
}
