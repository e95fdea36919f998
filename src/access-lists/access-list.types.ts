import { cutPage, pageLink } from '../common/paging/pages.js';
import type { VersionedState } from './preconditions.js';

/** Altinn's paginated envelope. */
export interface Page<T> {
  links: { next: string | null };
  data: T[];
}

/**
 * What a conditional operation produced: a value with the list's version state (for `ETag` and
 * `Last-Modified`), or "not modified" (a read whose If-None-Match/If-Modified-Since matched).
 */
export type Conditional<T> =
  | { kind: 'ok'; value: T; state: VersionedState; created?: boolean }
  | { kind: 'not-modified'; state: VersionedState };

export function stateOf(row: { version: number; updatedAt: Date }): VersionedState {
  return { version: row.version, updatedAt: row.updatedAt };
}

/** Page sizes as Altinn: lists 20, members and connections 100. */
export const LISTS_PAGE_SIZE = 20;
export const LARGE_PAGE_SIZE = 100;

export const ACCESS_LISTS_PATH = '/resourceregistry/api/v1/access-lists';

/** Absolute `links.next` URL under the public base URL (clients follow it as is). */
export function nextLink(
  publicUrl: string,
  segments: string[],
  query: Record<string, string | undefined>,
): string {
  return pageLink(`${publicUrl}${[ACCESS_LISTS_PATH, ...segments.map(encodeURIComponent)].join('/')}`, query);
}

/** A page from `size + 1` rows: the extra row only tells whether there is a next page. */
export function toPage<R, T>(rows: R[], size: number, map: (r: R) => T, next: (last: R) => string): Page<T> {
  const { items, lastIfMore } = cutPage(rows, size);
  return { links: { next: lastIfMore && next(lastIfMore) }, data: items.map(map) };
}
