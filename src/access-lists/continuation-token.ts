/**
 * Opaque, tamper-proof continuation tokens (`?token=`). A token carries what the next page needs
 * — the query it belongs to (`k` kind, `s` scope: the owner or the list id), the list version it
 * was issued for (`v`) and the last key served (`a`) — and an HMAC over all of it, so a client
 * can neither forge a position nor replay a token against another list or owner (→ 400).
 * The version pin lets the service answer 412 when the list changed between pages, as Altinn.
 *
 * The key is derived from KEY_ENCRYPTION_SECRET (or a fixed development value), so every replica
 * accepts the tokens of every other one and tokens survive restarts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type CursorKind = 'lists' | 'members' | 'connections';

export interface Cursor {
  k: CursorKind;
  /** Owner org code (lists) or list id (members, connections). */
  s: string;
  /** List version the page was served at (members, connections). */
  v?: number;
  /** Last key served: list identifier, member org number or resource identifier. */
  a: string;
}

const MAC_BYTES = 18;

export class InvalidContinuationToken extends Error {
  constructor() {
    super('invalid continuation token');
  }
}

export class ContinuationTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    // Domain-separated from every other use of the same secret.
    this.key = createHmac('sha256', secret).update('consentgw/access-lists/continuation-token/v1').digest();
  }

  encode(cursor: Cursor): string {
    const payload = Buffer.from(JSON.stringify(cursor), 'utf8');
    return `${payload.toString('base64url')}.${this.mac(payload).toString('base64url')}`;
  }

  /** The cursor, if the token is authentic and was issued for this kind and scope; else throws. */
  decode(token: string, kind: CursorKind, scope: string): Cursor {
    if (token.length > 2048) throw new InvalidContinuationToken();
    const dot = token.indexOf('.');
    if (dot <= 0 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) throw new InvalidContinuationToken();
    const payload = Buffer.from(token.slice(0, dot), 'base64url');
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = this.mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new InvalidContinuationToken();
    let cursor: unknown;
    try {
      cursor = JSON.parse(payload.toString('utf8'));
    } catch {
      throw new InvalidContinuationToken();
    }
    const c = cursor as Partial<Cursor> | null;
    if (!c || typeof c !== 'object' || c.k !== kind || c.s !== scope || typeof c.a !== 'string')
      throw new InvalidContinuationToken();
    if (c.v !== undefined && !Number.isInteger(c.v)) throw new InvalidContinuationToken();
    return { k: c.k, s: c.s, a: c.a, ...(c.v !== undefined ? { v: c.v } : {}) };
  }

  private mac(payload: Buffer): Buffer {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, MAC_BYTES);
  }
}
