/**
 * Structural parsing of a compact JWS before any key is touched: size, exactly three canonical
 * base64url parts, strict UTF-8 and strict JSON objects for header and payload. Everything the
 * verifier decides (issuer, key) comes from values parsed here, and the signature is then
 * checked over the very same bytes (jws-signature.ts).
 */
import { InvalidTokenError } from './auth-errors.js';
import { isJsonObject, parseStrictJson } from './strict-json.js';

export interface ParsedCompactJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `base64url(header) + '.' + base64url(payload)`: the bytes the signature covers (ASCII). */
  signingInput: string;
  signature: Buffer;
}

// Three non-empty base64url parts; being ASCII-only also makes length === byte length.
const COMPACT_JWS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Decodes one part, refusing non-canonical encodings (length ≡ 1 mod 4, or non-zero padding bits):
 * Node's decoder is lenient, and two spellings of one token would defeat exact-string caching.
 * Over the alphabet, the only other spellings of the same bytes differ in the unused low bits of
 * the last character, so checking those is the whole test (no re-encoding per part).
 */
export function decodeBase64UrlStrict(part: string): Buffer {
  const rem = part.length % 4;
  if (rem === 1 || !BASE64URL.test(part)) throw new InvalidTokenError('malformed');
  if (rem !== 0) {
    const last = ALPHABET.indexOf(part[part.length - 1]);
    if ((last & (rem === 2 ? 0x0f : 0x03)) !== 0) throw new InvalidTokenError('malformed');
  }
  return Buffer.from(part, 'base64url');
}

function decodeJsonObject(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    // ignoreBOM: a BOM stays in the text and then fails JSON grammar, as RFC 8259 §8.1 allows.
    value = parseStrictJson(utf8.decode(decodeBase64UrlStrict(part)));
  } catch (e) {
    if (e instanceof InvalidTokenError) throw e;
    throw new InvalidTokenError('malformed');
  }
  if (!isJsonObject(value)) throw new InvalidTokenError('malformed');
  return value;
}

/** `maxBytes` is enforced first, before any regex or decoding work. */
export function parseCompactJws(token: unknown, maxBytes: number): ParsedCompactJws {
  if (typeof token !== 'string' || token.length === 0) throw new InvalidTokenError('malformed');
  // UTF-16 length never exceeds UTF-8 byte length, so this is a safe early bound.
  if (token.length > maxBytes) throw new InvalidTokenError('too_large');
  const m = COMPACT_JWS.exec(token);
  if (!m) throw new InvalidTokenError('malformed');
  const signature = decodeBase64UrlStrict(m[3]); // canonical too, like header and payload
  return {
    header: decodeJsonObject(m[1]),
    payload: decodeJsonObject(m[2]),
    signingInput: token.slice(0, m[1].length + 1 + m[2].length),
    signature,
  };
}
