/**
 * `PageOf(Item, Links)`: the paged envelope `{links, data: Item[]}` of the APIs' lists, for
 * Swagger. A subclass names the schema, e.g. `class OwnerPageDto extends PageOf(OwnerDto,
 * PageLinksDto) {}`; each API keeps its own links class (their descriptions differ). Not a
 * `.dto.ts` file, so the swagger plugin leaves the generic class alone and the documented
 * properties are exactly these two.
 */
import type { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

export function PageOf<T, L>(item: Type<T>, links: Type<L>) {
  class Page {
    @ApiProperty({ type: links })
    links: L;

    @ApiProperty({ type: [item] })
    data: T[];
  }
  return Page;
}
