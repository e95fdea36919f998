/**
 * Keyset paging for `GET /api/v1/access-requests` (newest first): the token holds the
 * `(createdAt, id)` of the last row served, base64url JSON so clients treat it as opaque.
 * Rows created after the first page was read never shift later pages.
 */
import { DomainError } from '../common/errors/domain-error.js';
import { INVALID_VALUE } from '../common/errors/validation-errors.js';

export interface PageCursor {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodePageToken(c: PageCursor): string {
  return Buffer.from(JSON.stringify({ c: c.createdAt.toISOString(), i: c.id }), 'utf8').toString('base64url');
}

export function decodePageToken(token: string): PageCursor {
  try {
    const p = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { c?: unknown; i?: unknown };
    if (typeof p?.c === 'string' && typeof p.i === 'string' && UUID.test(p.i)) {
      const createdAt = new Date(p.c);
      if (!Number.isNaN(createdAt.getTime()) && createdAt.toISOString() === p.c)
        return { createdAt, id: p.i };
    }
  } catch {
    /* fall through */
  }
  throw DomainError.validation([
    { code: INVALID_VALUE, title: 'The continuation token is invalid', paths: ['$.continuationToken'] },
  ]);
}
