import { describe, expect, it } from '@jest/globals';
import { extensionStatus } from './consent-versions.service.js';

describe('extensionStatus: when a pending extension has lapsed', () => {
  const pending = { status: 'pending', baseVersion: 1 };

  it('stays pending while the consent is accepted under the version it was asked against', () => {
    expect(extensionStatus(pending, { status: 'accepted', version: 1 })).toBe('pending');
  });

  it('lapses once the consent ended (revoked, expired, used) or got other terms', () => {
    for (const status of ['revoked', 'expired', 'used'] as const)
      expect(extensionStatus(pending, { status, version: 1 })).toBe('lapsed');
    expect(extensionStatus(pending, { status: 'accepted', version: 2 })).toBe('lapsed');
  });

  it('keeps an answered status whatever became of the consent', () => {
    for (const status of ['approved', 'declined', 'cancelled'])
      expect(extensionStatus({ status, baseVersion: 1 }, { status: 'revoked', version: 2 })).toBe(status);
  });
});
