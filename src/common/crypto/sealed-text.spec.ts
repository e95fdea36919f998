import { describe, expect, it } from '@jest/globals';
import { isSealed, seal, unseal } from './sealed-text.js';

const SECRET = 'kes-for-tests';
const PEM = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';

describe('sealed text', () => {
  it('opens with the same secret and label only', () => {
    const sealed = seal('hello', SECRET, 'label/a');
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('hello');
    expect(unseal(sealed, SECRET, 'label/a')).toBe('hello');
    expect(() => unseal(sealed, 'another-secret', 'label/a')).toThrow();
    expect(() => unseal(sealed, SECRET, 'label/b')).toThrow();
  });

  it('tells the sealed format from anything else', () => {
    for (const stored of ['plain:x', 'v2:a:b:c', 'v1:a:b', 'v1::b:c', PEM]) {
      expect(isSealed(stored)).toBe(false);
      expect(() => unseal(stored, SECRET, 'label/a')).toThrow('not a sealed value');
    }
  });

  // Sealed by the signing-key and webhook-secret code as it was before this module existed:
  // what databases hold already still opens, under each use's own label.
  it('opens values stored by earlier versions', () => {
    const key =
      'v1:oGtJBodwtpkn7Ewg:3MGY9O3i13qLLAvRHYaCAA:18i2RQdfRfITdWCw0A6dQBtHbcQ4RsFHoCFJ1c9VJMXwLRh8CgqD8kVdRs6L0htGCD9IAlnsLoPnkuA';
    expect(unseal(key, SECRET, 'consent-gateway/signing-keys')).toBe(PEM);
    expect(() => unseal(key, SECRET, 'consent-gateway/webhook-secrets')).toThrow();
    const webhookSecret = 'v1:uREnsImbsaJ2quy2:muyJMCEzIfa1TD96xY3ZHQ:ONitWkZdWXBy49l7eHKr1uty';
    expect(unseal(webhookSecret, SECRET, 'consent-gateway/webhook-secrets')).toBe('whsec_known-answer');
  });
});
