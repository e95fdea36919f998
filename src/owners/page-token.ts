import { DomainError } from '../common/errors/domain-error.js';
import { INVALID_VALUE } from '../common/errors/validation-errors.js';

/**
 * Keyset paging tokens: the last key of the previous page, base64url-encoded JSON, so clients
 * treat them as opaque and we can change the inside later without breaking links.
 */
export function encodePageToken(lastKey: string): string {
  return Buffer.from(JSON.stringify({ k: lastKey }), 'utf8').toString('base64url');
}

export function decodePageToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown };
    if (typeof parsed?.k === 'string') return parsed.k;
  } catch {
    /* fall through */
  }
  throw DomainError.validation([
    { code: INVALID_VALUE, title: 'The continuation token is invalid', paths: ['$.continuationToken'] },
  ]);
}

export const PAGE_SIZE = 100;
