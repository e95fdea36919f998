import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** `links` of Altinn's paginated envelope `{links:{next}, data}`. */
export class PageLinksDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Absolute URL of the next page (carries an opaque `token`), or null on the last page.',
  })
  next!: string | null;
}

/** Query of a paged read: the continuation token from `links.next`. */
export class PageQueryDto {
  @ApiPropertyOptional({ description: 'Opaque continuation token from `links.next`.' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  token?: string;
}
