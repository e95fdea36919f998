import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Matches } from 'class-validator';
import { AccessListResourceConnectionDto } from './access-list.dto.js';
import { PageLinksDto } from './page.dto.js';

/** Body of `PUT /{owner}/{identifier}/resource-connections/{resource}`. */
export class UpsertResourceConnectionDto {
  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    maxItems: 50,
    example: ['requestconsent'],
    description:
      'Actions the members may perform (e.g. `requestconsent`, `consent`); empty or absent = every action.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, {
    each: true,
    message: 'each action must be 1-100 characters of A-Z a-z 0-9 _ . : -',
  })
  actionFilters?: string[] | null;
}

export class AccessListConnectionsPageDto {
  @ApiProperty({ type: PageLinksDto })
  links!: PageLinksDto;

  @ApiProperty({ type: [AccessListResourceConnectionDto] })
  data!: AccessListResourceConnectionDto[];
}
