/**
 * Subscription secrets. The gateway needs the secret itself to sign (HMAC), so it cannot store a
 * hash; instead it stores the secret sealed (AES-256-GCM) with a key derived from
 * KEY_ENCRYPTION_SECRET (required in production), so a database dump alone does not let anyone
 * forge deliveries. Without that variable (development) the secret is stored as `plain:<secret>`.
 */
import { randomBytes } from 'node:crypto';
import { isSealed, seal, unseal } from '../common/crypto/sealed-text.js';

// A label of its own, so this key differs from the one protecting the signing keys.
const LABEL = 'consent-gateway/webhook-secrets';

/** `whsec_` + 32 random bytes, base64url: 256 bits, safe in headers and config files. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function sealSecret(plain: string, encryptionSecret: string | undefined): string {
  if (!encryptionSecret) return `plain:${plain}`;
  return seal(plain, encryptionSecret, LABEL);
}

export function openSecret(stored: string, encryptionSecret: string | undefined): string {
  if (stored.startsWith('plain:')) return stored.slice('plain:'.length);
  if (!isSealed(stored)) throw new Error('unrecognised webhook secret format');
  if (!encryptionSecret)
    throw new Error('the webhook secret is encrypted but KEY_ENCRYPTION_SECRET is not set');
  return unseal(stored, encryptionSecret, LABEL);
}
