/**
 * Subscription secrets. The gateway needs the secret itself to sign (HMAC), so it cannot store a
 * hash; instead it stores the secret AES-256-GCM-encrypted with a key derived from
 * KEY_ENCRYPTION_SECRET (required in production), so a database dump alone does not let anyone
 * forge deliveries. Without that variable (development) the secret is stored as `plain:<secret>`.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** `whsec_` + 32 random bytes, base64url: 256 bits, safe in headers and config files. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function keyFrom(secret: string): Buffer {
  // A label of its own, so this key differs from the one protecting the signing keys.
  return createHash('sha256').update(`consent-gateway/webhook-secrets/${secret}`).digest();
}

export function sealSecret(plain: string, encryptionSecret: string | undefined): string {
  if (!encryptionSecret) return `plain:${plain}`;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(encryptionSecret), iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [
    'v1',
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    ct.toString('base64url'),
  ].join(':');
}

export function openSecret(stored: string, encryptionSecret: string | undefined): string {
  if (stored.startsWith('plain:')) return stored.slice('plain:'.length);
  const [v, iv, tag, ct] = stored.split(':');
  if (v !== 'v1' || !iv || !tag || !ct) throw new Error('unrecognised webhook secret format');
  if (!encryptionSecret)
    throw new Error('the webhook secret is encrypted but KEY_ENCRYPTION_SECRET is not set');
  const decipher = createDecipheriv('aes-256-gcm', keyFrom(encryptionSecret), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}
