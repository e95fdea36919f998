import { ApiProperty } from '@nestjs/swagger';
import { IsOrgNumber } from '../../common/identifiers/identifier.decorators.js';

export class ConsumerOrgParamsDto {
  @ApiProperty({ example: '991825827', description: 'Organisation number (checksum-validated).' })
  @IsOrgNumber()
  consumerOrgNumber: string;
}

export class SupplierOrgParamsDto {
  @ApiProperty({ example: '974760673', description: 'Organisation number (checksum-validated).' })
  @IsOrgNumber()
  supplierOrgNumber: string;
}

export class GrantResponseDto {
  @ApiProperty({ example: 'skd:inntekt' })
  scope: string;
  @ApiProperty({ example: '991825827' })
  consumer_orgno: string;
  @ApiProperty({ format: 'date-time' })
  created: string;
}

export class DelegationResponseDto {
  @ApiProperty({ example: 'skd:inntekt' })
  scope: string;
  @ApiProperty({ example: '991825827', description: 'The org that holds the grant and delegates it.' })
  consumer_orgno: string;
  @ApiProperty({ example: '974760673', description: 'The org that may ask for tokens on its behalf.' })
  supplier_orgno: string;
  @ApiProperty({ format: 'date-time' })
  created: string;
}
