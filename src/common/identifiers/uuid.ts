/**
 * UUIDs: the ids this service mints (UUIDv7) and the one syntax check for ids it is given.
 */
import { randomFillSync } from 'node:crypto';

/**
 * Random bytes are drawn from the CSPRNG in blocks (as crypto.randomUUID does): one call per
 * 256 ids instead of one per id, which showed in the create bench's profile.
 */
const RANDOM_BLOCK = 16 * 256;
const entropy = Buffer.alloc(RANDOM_BLOCK);
let entropyOffset = RANDOM_BLOCK;

function random16(): Buffer {
  if (entropyOffset === RANDOM_BLOCK) {
    randomFillSync(entropy);
    entropyOffset = 0;
  }
  const b = Buffer.from(entropy.subarray(entropyOffset, entropyOffset + 16));
  entropyOffset += 16;
  return b;
}

/**
 * RFC 9562 UUIDv7: 48-bit Unix milliseconds, then random bits. Event ids sort roughly by time,
 * which keeps the primary-key index append-mostly; ordering guarantees come from `seq`, not this.
 */
export function uuidv7(now: number = Date.now()): string {
  const b = random16();
  b[0] = Math.floor(now / 2 ** 40) & 0xff;
  b[1] = Math.floor(now / 2 ** 32) & 0xff;
  b[2] = (now >>> 24) & 0xff;
  b[3] = (now >>> 16) & 0xff;
  b[4] = (now >>> 8) & 0xff;
  b[5] = now & 0xff;
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The one UUID check of the service: the canonical 8-4-4-4-12 hex layout, either case, any
 * version and variant. Altinn's ids are .NET Guids, and its wire samples carry a `c` variant
 * nibble that an RFC 9562 version check would refuse, so only the layout is required.
 */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(s: unknown): s is string {
  return typeof s === 'string' && UUID_PATTERN.test(s);
}
