import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsDefined, Matches } from 'class-validator';
import { ROLE_CODE_PATTERN } from '../owner.view.js';
import { IsOrgNumber, IsPersonNumber } from '../../common/identifiers/identifier.decorators.js';
import { PageOf } from './page-of.js';

export class OrgNumberParamDto {
  @ApiProperty({ example: '991825827' })
  @IsOrgNumber()
  orgNumber: string;
}

export class OrgRoleParamsDto extends OrgNumberParamDto {
  @ApiProperty({ example: '02013299997', description: 'National identity number of the person' })
  @IsPersonNumber()
  personId: string;
}

export class PutOrgRolesDto {
  @ApiProperty({ example: ['DAGL'], description: 'Role codes (e.g. DAGL, LEDE); duplicates are dropped' })
  @IsDefined()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(50)
  @Matches(ROLE_CODE_PATTERN, { each: true, message: 'each role must be 2-10 uppercase letters (e.g. DAGL)' })
  roles: string[];
}

export class OrgRoleDto {
  @ApiProperty({ example: '991825827' })
  orgNumber: string;

  @ApiProperty({ example: '02013299997' })
  personId: string;

  @ApiProperty({ example: ['DAGL'] })
  roles: string[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class OrgRolePageDto extends PageOf(OrgRoleDto) {}
