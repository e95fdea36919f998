import { describe, expect, it } from '@jest/globals';
import { ContinuationTokens } from '../common/paging/continuation-tokens.js';
import { ConsentPageTokens } from './consent-page-tokens.js';

describe('ConsentPageTokens', () => {
  const tokens = new ConsentPageTokens(
    new ContinuationTokens({ keyEncryptionSecret: 'a secret of sixteen+ chars' }),
  );
  const caller = '991825827';

  it('round-trips feed and list positions for the same caller', () => {
    expect(tokens.decodeFeed(tokens.encodeFeed(caller, 12345678901234n), caller)).toBe(12345678901234n);
    const pos = {
      createdAt: new Date('2026-01-01T00:00:00.123Z'),
      id: '0197593f-1794-7748-b5f2-91086bbecc3e',
    };
    expect(tokens.decodeList(tokens.encodeList(caller, pos), caller)).toEqual(pos);
  });

  it('answers null (→ AM.VLD-00053) for garbage, another caller’s token and the other kind of page', () => {
    const feed = tokens.encodeFeed(caller, 1n);
    const list = tokens.encodeList(caller, {
      createdAt: new Date(0),
      id: '0197593f-1794-7748-b5f2-91086bbecc3e',
    });
    for (const bad of [
      '',
      'e1',
      'ZTA',
      'ZTE=',
      list,
      Buffer.from('e99999999999999999999').toString('base64url'),
    ])
      expect(tokens.decodeFeed(bad, caller)).toBeNull();
    expect(tokens.decodeFeed(feed, '974760673')).toBeNull();
    expect(tokens.decodeList(feed, caller)).toBeNull();
  });
});
