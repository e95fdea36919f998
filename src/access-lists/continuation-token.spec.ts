import { describe, expect, it } from '@jest/globals';
import { ContinuationTokens, InvalidContinuationToken } from './continuation-token.js';

describe('continuation tokens', () => {
  const tokens = new ContinuationTokens('a secret of at least sixteen chars');

  it('round-trips the cursor for the same kind and scope', () => {
    const t = tokens.encode({ k: 'members', s: 'list-1', v: 7, a: '991825827' });
    expect(t).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(tokens.decode(t, 'members', 'list-1')).toEqual({
      k: 'members',
      s: 'list-1',
      v: 7,
      a: '991825827',
    });
  });

  it('is accepted by another instance with the same secret (another replica) and refused with another secret', () => {
    const t = tokens.encode({ k: 'lists', s: 'skd', a: 'x' });
    expect(new ContinuationTokens('a secret of at least sixteen chars').decode(t, 'lists', 'skd').a).toBe(
      'x',
    );
    expect(() => new ContinuationTokens('another secret entirely!').decode(t, 'lists', 'skd')).toThrow(
      InvalidContinuationToken,
    );
  });

  it('refuses a token of another kind or scope', () => {
    const t = tokens.encode({ k: 'members', s: 'list-1', v: 1, a: '991825827' });
    expect(() => tokens.decode(t, 'connections', 'list-1')).toThrow(InvalidContinuationToken);
    expect(() => tokens.decode(t, 'members', 'list-2')).toThrow(InvalidContinuationToken);
  });

  it('refuses a tampered payload, a cut MAC and garbage', () => {
    const t = tokens.encode({ k: 'members', s: 'list-1', v: 1, a: '991825827' });
    const [payload, mac] = t.split('.');
    const forged = Buffer.from(JSON.stringify({ k: 'members', s: 'list-1', v: 1, a: '000000000' })).toString(
      'base64url',
    );
    for (const bad of [
      `${forged}.${mac}`,
      `${payload}.${mac.slice(0, -2)}`,
      'garbage',
      '',
      `${payload}.`,
      '.x',
      `${payload}.${mac}.x`,
    ])
      expect(() => tokens.decode(bad, 'members', 'list-1')).toThrow(InvalidContinuationToken);
  });
});
