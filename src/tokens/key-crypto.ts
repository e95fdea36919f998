import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Private signing keys at rest: AES-256-GCM with a key derived from KEY_ENCRYPTION_SECRET.
 * Format: `v1:<iv b64url>:<tag b64url>:<ciphertext b64url>`. Without a secret (development
 * only; production refuses to start) keys are stored as plain PKCS#8 PEM.
 */
function keyFrom(secret: string): Buffer {
  return createHash('sha256').update(`consent-gateway/signing-keys/${secret}`).digest();
}

export function encryptPrivateKey(pem: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(secret), iv);
  const ct = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
  return [
    'v1',
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    ct.toString('base64url'),
  ].join(':');
}

export function decryptPrivateKey(stored: string, secret: string): string {
  const [v, iv, tag, ct] = stored.split(':');
  if (v !== 'v1' || !iv || !tag || !ct) throw new Error('Unrecognised encrypted key format');
  const decipher = createDecipheriv('aes-256-gcm', keyFrom(secret), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}
