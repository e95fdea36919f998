import { describe, expect, it } from '@jest/globals';
import { ContinuationTokens } from '../common/paging/continuation-tokens.js';
import { ConsentPageTokens } from './consent-page-tokens.js';
import type { ConsentProblem } from './consent-problems.js';

describe('ConsentPageTokens', () => {
  const tokens = new ConsentPageTokens(
    new ContinuationTokens({ keyEncryptionSecret: 'a secret of sixteen+ chars' }),
  );
  const caller = '991825827';
  const position = {
    createdAt: new Date('2026-01-01T00:00:00.123Z'),
    id: '0197593f-1794-7748-b5f2-91086bbecc3e',
  };

  it('round-trips feed and list positions for the same caller, and has none without a token', () => {
    const problems: ConsentProblem[] = [];
    expect(tokens.decodeFeed(tokens.encodeFeed(caller, 12345678901234n), caller, problems)).toBe(
      12345678901234n,
    );
    expect(tokens.decodeList(tokens.encodeList(caller, position), caller, problems)).toEqual(position);
    expect(tokens.decodeFeed(undefined, caller, problems)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('adds one AM.VLD-00053 for garbage, another caller’s token or the other kind of page', () => {
    const feed = tokens.encodeFeed(caller, 1n);
    const list = tokens.encodeList(caller, position);
    const bad = ['', 'e1', 'ZTA', 'ZTE=', list, Buffer.from('e99999999999999999999').toString('base64url')];
    const problems: ConsentProblem[] = [];
    for (const token of bad) expect(tokens.decodeFeed(token, caller, problems)).toBeUndefined();
    expect(tokens.decodeFeed(feed, '974760673', problems)).toBeUndefined();
    expect(tokens.decodeList(feed, caller, problems)).toBeUndefined();
    expect(problems).toHaveLength(bad.length + 2);
    for (const p of problems)
      expect(p).toMatchObject({
        code: 'AM.VLD-00053',
        title: 'Invalid continuation token.',
        paths: ['/continuationToken'],
      });
  });
});
