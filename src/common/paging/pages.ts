/**
 * The two halves of a page (DESIGN §4: `{links:{next}, data}`) every paged list shares: cutting
 * the rows read, and the `next` link that carries the query's filters and the token.
 */

/**
 * A page from `size + 1` rows read in key order: the first `size`, and the last of those when
 * the extra row shows there is more (the position the next page starts after), else null.
 */
export function cutPage<T>(rows: readonly T[], size: number): { items: T[]; lastIfMore: T | null } {
  const items = rows.slice(0, size);
  return { items, lastIfMore: rows.length > size ? items[items.length - 1] : null };
}

/** `base` with the query's defined parameters, in the order given (put the token last). */
export function pageLink(base: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, value);
  return `${base}?${params.toString()}`;
}
