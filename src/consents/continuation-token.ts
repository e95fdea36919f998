/**
 * Opaque continuation tokens for the events feed and the request list. They carry only a
 * position (a feed seq, or a list keyset); every page is still filtered by the caller, so a
 * forged token can reveal nothing, and need not be signed. Anything that does not decode to
 * exactly what we issue is AM.VLD-00053.
 */
const FEED = /^e([1-9]\d{0,18})$/;
const LIST = /^l(\d{13})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const B64URL = /^[A-Za-z0-9_-]{1,128}$/;

function decode(token: string): string | null {
  if (!B64URL.test(token)) return null;
  const raw = Buffer.from(token, 'base64url').toString('utf8');
  // Only the canonical spelling of a token is accepted (no padding games, no trailing bits).
  return Buffer.from(raw, 'utf8').toString('base64url') === token ? raw : null;
}

export function encodeFeedToken(seq: bigint): string {
  return Buffer.from(`e${seq.toString()}`, 'utf8').toString('base64url');
}

export function decodeFeedToken(token: string): bigint | null {
  const m = FEED.exec(decode(token) ?? '');
  if (!m) return null;
  const seq = BigInt(m[1]);
  return seq <= 9223372036854775807n ? seq : null;
}

export interface ListPosition {
  createdAt: Date;
  id: string;
}

export function encodeListToken(p: ListPosition): string {
  return Buffer.from(`l${String(p.createdAt.getTime()).padStart(13, '0')}.${p.id}`, 'utf8').toString(
    'base64url',
  );
}

export function decodeListToken(token: string): ListPosition | null {
  const m = LIST.exec(decode(token) ?? '');
  return m ? { createdAt: new Date(Number(m[1])), id: m[2] } : null;
}
