import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from './page.dto.js';

/** Query of `GET /{owner}` and `GET /{owner}/{identifier}`. */
export class AccessListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description:
      'Comma-separated extras: `resources` (connections), `resource-actions` (connections with their action ' +
      'filters), `resource-connections` (alias of `resource-actions`). `members` is not supported (501).',
    example: 'resource-connections',
  })
  @IsOptional()
  include?: string | string[];

  @ApiPropertyOptional({
    description: 'Only the connections to this resource (required with `include` on the list of lists).',
    example: 'skd-inntekt-samtykke',
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  resource?: string;
}
