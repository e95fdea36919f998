/**
 * `PageOf(Item)`: the paged envelope `{links: {next}, data: Item[]}` of the owners' lists
 * (owners, organisations, org roles). A subclass names the schema, e.g.
 * `class OwnerPageDto extends PageOf(OwnerDto) {}`. Not a `.dto.ts` file, so the swagger
 * plugin leaves the generic class alone and the documented properties are exactly these two.
 */
import type { Type } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { PageOf as PageOfWith } from '../../common/http/page-of.js';

/** `links` of a page. */
export class PageLinksDto {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Relative URL of the next page; null on the last page',
  })
  next: string | null;
}

/** The owners' pages: common/http/page-of.ts with the owners' links. */
export function PageOf<T>(item: Type<T>) {
  return PageOfWith(item, PageLinksDto);
}
