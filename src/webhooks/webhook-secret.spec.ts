import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { generateWebhookSecret, openSecret, sealSecret } from './webhook-secret.js';
import { signWebhookBody, verifyWebhookSignature } from './webhook-signature.js';

describe('webhook secrets at rest', () => {
  it('are 256-bit whsec_ strings', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateWebhookSecret()).not.toBe(a);
  });

  it('are encrypted with KEY_ENCRYPTION_SECRET and opened only with it', () => {
    const secret = generateWebhookSecret();
    const sealed = sealSecret(secret, 'a-very-secret-key-encryption-secret');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain(secret.slice(6));
    expect(openSecret(sealed, 'a-very-secret-key-encryption-secret')).toBe(secret);
    expect(() => openSecret(sealed, 'another-key-encryption-secret!!')).toThrow();
    expect(() => openSecret(sealed, undefined)).toThrow(/KEY_ENCRYPTION_SECRET/);
  });

  it('are stored marked as plain without KEY_ENCRYPTION_SECRET (development)', () => {
    expect(sealSecret('whsec_x', undefined)).toBe('plain:whsec_x');
    expect(openSecret('plain:whsec_x', undefined)).toBe('whsec_x');
    expect(openSecret('plain:whsec_x', 'set-later-in-development')).toBe('whsec_x');
  });
});

describe('signatures', () => {
  it('are sha256= and the hex HMAC-SHA256 of the raw body keyed with the secret’s UTF-8 bytes', () => {
    const body = '{"id":"1","type":"consent.accepted"}';
    const expected = createHmac('sha256', Buffer.from('whsec_æøå', 'utf8')).update(body).digest('hex');
    expect(signWebhookBody(body, 'whsec_æøå')).toBe(`sha256=${expected}`);
    expect(verifyWebhookSignature(body, 'whsec_æøå', `sha256=${expected}`)).toBe(true);
    expect(verifyWebhookSignature(body, 'whsec_æøå', `sha256=${expected.toUpperCase()}`)).toBe(false);
    expect(verifyWebhookSignature(`${body} `, 'whsec_æøå', `sha256=${expected}`)).toBe(false);
    expect(verifyWebhookSignature(body, 'whsec_æøå', undefined)).toBe(false);
  });
});
