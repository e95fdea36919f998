import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageLinksDto } from './page.dto.js';

/** Body of `PUT /{owner}/{identifier}` (Altinn `CreateAccessListModel`). */
export class UpsertAccessListDto {
  @ApiProperty({ example: 'Godkjente banker', maxLength: 500 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  name!: string;

  @ApiPropertyOptional({
    example: 'Banks allowed to request income consent',
    maxLength: 5000,
    nullable: true,
  })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string | null;
}

/** A resource connection (Altinn `AccessListResourceConnectionDto`). */
export class AccessListResourceConnectionDto {
  @ApiProperty({ example: 'skd-inntekt-samtykke' })
  resourceIdentifier!: string;

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    example: ['requestconsent'],
    description:
      'Actions members may perform on the resource; null = every action. Omitted when not requested.',
  })
  actionFilters?: string[] | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

/** An access list (Altinn `AccessListInfoDto` plus its URN). */
export class AccessListInfoDto {
  @ApiProperty({ example: 'urn:altinn:access-list:skd:godkjente-banker' })
  urn!: string;

  @ApiProperty({ example: 'godkjente-banker', pattern: '^[a-z0-9_-]{1,100}$' })
  identifier!: string;

  @ApiProperty({ example: 'Godkjente banker' })
  name!: string;

  @ApiProperty({ example: 'Banks allowed to request income consent' })
  description!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiPropertyOptional({
    type: [AccessListResourceConnectionDto],
    description:
      'Present when `include=resources`, `resource-actions` or `resource-connections` was asked for.',
  })
  resourceConnections?: AccessListResourceConnectionDto[];
}

export class AccessListPageDto {
  @ApiProperty({ type: PageLinksDto })
  links!: PageLinksDto;

  @ApiProperty({ type: [AccessListInfoDto] })
  data!: AccessListInfoDto[];
}
