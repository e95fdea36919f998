/**
 * `PageOf(Item)`: the paged envelope `{links: {next}, data: Item[]}` of the owners' lists
 * (owners, organisations, org roles). A subclass names the schema, e.g.
 * `class OwnerPageDto extends PageOf(OwnerDto) {}`. Not a `.dto.ts` file, so the swagger
 * plugin leaves the generic class alone and the documented properties are exactly these two.
 */
import type { Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** `links` of a page. */
export class PageLinksDto {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Relative URL of the next page; null on the last page',
  })
  next: string | null;
}

export function PageOf<T>(item: Type<T>) {
  class Page {
    @ApiProperty({ type: PageLinksDto })
    links: PageLinksDto;

    @ApiProperty({ type: [item] })
    data: T[];
  }
  return Page;
}
