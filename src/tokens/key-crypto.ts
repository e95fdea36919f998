import { isSealed, seal, unseal } from '../common/crypto/sealed-text.js';

/**
 * Private signing keys at rest: sealed (AES-256-GCM) with a key derived from
 * KEY_ENCRYPTION_SECRET. Without a secret (development only; production refuses to start) keys
 * are stored as plain PKCS#8 PEM.
 */
const LABEL = 'consent-gateway/signing-keys';

export function encryptPrivateKey(pem: string, secret: string): string {
  return seal(pem, secret, LABEL);
}

export function decryptPrivateKey(stored: string, secret: string): string {
  if (!isSealed(stored)) throw new Error('Unrecognised encrypted key format');
  return unseal(stored, secret, LABEL);
}
