/**
 * The positions pages end on, as codecs for ContinuationTokens: what keyset paging needs to
 * start the next page right after the last row served, so rows written meanwhile never shift it.
 * A context with a position of its own (access lists pin a version) writes its own codec.
 */
import { isUuid } from '../identifiers/uuid.js';
import type { PositionCodec } from './continuation-tokens.js';

const INT64_MAX = 9223372036854775807n;
const SERIAL = /^[0-9]{1,19}$/;

/** The last unique key served (an org code, a person number, an identifier). */
export const keyPosition: PositionCodec<string> = {
  write: (key) => key,
  read: (v) => (typeof v === 'string' ? v : undefined),
};

/** The last UUID served, for tables keyed by UUIDv7 (id order is creation order). */
export const uuidPosition: PositionCodec<string> = {
  write: (id) => id,
  read: (v) => (isUuid(v) ? v : undefined),
};

/** The last serial number served (a bigint column; JSON has no 64-bit integers, so a string). */
export const serialPosition: PositionCodec<bigint> = {
  write: (n) => n.toString(),
  read: (v) => {
    if (typeof v !== 'string' || !SERIAL.test(v)) return undefined;
    const n = BigInt(v);
    return n <= INT64_MAX ? n : undefined;
  },
};

export interface TimeAndId {
  createdAt: Date;
  id: string;
}

/** `(createdAt, id)` of the last row, for lists ordered by time with the id as tie-breaker. */
export const timeAndIdPosition: PositionCodec<TimeAndId> = {
  write: (p) => [p.createdAt.getTime(), p.id],
  read: (v) => {
    if (!Array.isArray(v) || v.length !== 2) return undefined;
    const [ms, id] = v as unknown[];
    if (!Number.isSafeInteger(ms) || !isUuid(id)) return undefined;
    return { createdAt: new Date(ms as number), id };
  },
};
