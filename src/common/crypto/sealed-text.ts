/**
 * Secrets the gateway must read back (private signing keys, webhook secrets) are stored
 * AES-256-GCM-encrypted as `v1:<iv b64url>:<tag b64url>:<ciphertext b64url>`, with a key derived
 * from KEY_ENCRYPTION_SECRET and a label of each use's own, so that a value sealed for one use
 * never opens as another.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

function keyFor(label: string, secret: string): Buffer {
  return createHash('sha256').update(`${label}/${secret}`).digest();
}

function partsOf(stored: string): { iv: string; tag: string; ct: string } | null {
  const [v, iv, tag, ct] = stored.split(':');
  return v === 'v1' && iv && tag && ct ? { iv, tag, ct } : null;
}

export function seal(plain: string, secret: string, label: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(label, secret), iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [
    'v1',
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    ct.toString('base64url'),
  ].join(':');
}

/** Whether `stored` has the sealed format (it may still fail to open). */
export function isSealed(stored: string): boolean {
  return partsOf(stored) !== null;
}

/** The plain text; throws when `stored` is not sealed, or not with this secret and label. */
export function unseal(stored: string, secret: string, label: string): string {
  const parts = partsOf(stored);
  if (!parts) throw new Error('not a sealed value');
  const decipher = createDecipheriv('aes-256-gcm', keyFor(label, secret), Buffer.from(parts.iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(parts.tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(parts.ct, 'base64url')), decipher.final()]).toString(
    'utf8',
  );
}
