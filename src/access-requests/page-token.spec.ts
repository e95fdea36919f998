import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../common/errors/domain-error.js';
import { decodePageToken, encodePageToken } from './page-token.js';

describe('access-request page tokens', () => {
  it('round-trips the last row’s time and id', () => {
    const cursor = {
      createdAt: new Date('2026-11-25T16:08:00.123Z'),
      id: '0193a0f4-5b1e-4c3d-9a2b-1f2e3d4c5b6a',
    };
    expect(decodePageToken(encodePageToken(cursor))).toEqual(cursor);
  });

  it.each([
    ['garbage', 'garbage'],
    ['not JSON', Buffer.from('{').toString('base64url')],
    [
      'a bad id',
      Buffer.from(JSON.stringify({ c: '2026-11-25T16:08:00.123Z', i: "x' OR 1=1" })).toString('base64url'),
    ],
    [
      'a bad time',
      Buffer.from(JSON.stringify({ c: 'yesterday', i: '0193a0f4-5b1e-4c3d-9a2b-1f2e3d4c5b6a' })).toString(
        'base64url',
      ),
    ],
  ])('refuses %s with a 400 naming the token', (_what, token) => {
    let err: unknown;
    try {
      decodePageToken(token);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).status).toBe(400);
    expect((err as DomainError).validationErrors?.[0].paths).toEqual(['$.continuationToken']);
  });
});
