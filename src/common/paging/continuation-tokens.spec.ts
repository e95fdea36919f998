import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DomainError } from '../errors/domain-error.js';
import { ContinuationTokens, InvalidContinuationToken } from './continuation-tokens.js';
import { keyPosition, serialPosition, timeAndIdPosition, uuidPosition } from './page-positions.js';

const secret = { keyEncryptionSecret: 'a secret of at least sixteen chars' };
const tokens = new ContinuationTokens(secret);

function refusal(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('ContinuationTokens', () => {
  const lists = tokens.forPages('test/lists', keyPosition);

  it('round-trips any position for the same kind and scope, as one URL-safe word (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ maxLength: 200 }), (scope, key) => {
        const t = lists.encode(scope, key);
        expect(t).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(lists.decode(t, scope)).toBe(key);
      }),
    );
  });

  it('is accepted by another instance with the same secret (another replica) and refused with another secret', () => {
    const t = lists.encode('skd', 'x');
    expect(new ContinuationTokens(secret).forPages('test/lists', keyPosition).decode(t, 'skd')).toBe('x');
    const other = new ContinuationTokens({ keyEncryptionSecret: 'another secret entirely!' });
    expect(() => other.forPages('test/lists', keyPosition).decode(t, 'skd')).toThrow(
      InvalidContinuationToken,
    );
  });

  it('refuses a token of another kind or another scope', () => {
    const t = lists.encode('skd', 'x');
    expect(() => lists.decode(t, 'nav')).toThrow(InvalidContinuationToken);
    expect(() => tokens.forPages('test/members', keyPosition).decode(t, 'skd')).toThrow(
      InvalidContinuationToken,
    );
  });

  it('refuses any change to a token (property: every byte flipped, every truncation)', () => {
    const t = lists.encode('skd', 'some-identifier');
    const raw = Buffer.from(t, 'base64url');
    for (let i = 0; i < raw.length; i++) {
      const tampered = Buffer.from(raw);
      tampered[i] ^= 0x01;
      expect(() => lists.decode(tampered.toString('base64url'), 'skd')).toThrow(InvalidContinuationToken);
    }
    for (let n = 0; n < t.length; n++)
      expect(() => lists.decode(t.slice(0, n), 'skd')).toThrow(InvalidContinuationToken);
  });

  it('refuses garbage, padding, a non-canonical spelling and an oversized token', () => {
    const t = lists.encode('skd', 'x');
    for (const bad of ['', 'garbage', 'abc', `${t}=`, `${t}.`, ` ${t}`, 'A'.repeat(5000), 'ZTE=', '%00'])
      expect(() => lists.decode(bad, 'skd')).toThrow(InvalidContinuationToken);
    // The same bytes with trailing bits set decode leniently in Node; we accept one spelling only.
    const last = t.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const c of alphabet) {
      const variant = t.slice(0, -1) + c;
      if (c !== last && Buffer.from(variant, 'base64url').equals(Buffer.from(t, 'base64url')))
        expect(() => lists.decode(variant, 'skd')).toThrow(InvalidContinuationToken);
    }
  });

  it('refuses an authentic token whose position the codec does not accept', () => {
    const wrongShape = tokens.forPages('test/serial', keyPosition).encode('s', 'not a number');
    expect(() => tokens.forPages('test/serial', serialPosition).decode(wrongShape, 's')).toThrow(
      InvalidContinuationToken,
    );
  });

  it('is a 400 naming $.continuationToken unless a context maps it to its own problem', () => {
    const e = refusal(() => lists.decode('garbage', 'skd'));
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).status).toBe(400);
    expect((e as DomainError).validationErrors).toEqual([
      { code: 'STD.VLD-00001', title: 'The continuation token is invalid', paths: ['$.continuationToken'] },
    ]);
  });

  it('works without a secret (development), still bound to kind and scope', () => {
    const dev = new ContinuationTokens({}).forPages('test/lists', keyPosition);
    expect(dev.decode(dev.encode('skd', 'x'), 'skd')).toBe('x');
    expect(() => dev.decode(lists.encode('skd', 'x'), 'skd')).toThrow(InvalidContinuationToken);
  });
});

describe('page positions', () => {
  it('serial: round-trips every 63-bit value and refuses what a bigint column cannot hold', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), (n) => {
        expect(serialPosition.read(serialPosition.write(n))).toBe(n);
      }),
    );
    for (const bad of ['9223372036854775808', '-1', '1e3', '', 'x', 12, null, '99999999999999999999'])
      expect(serialPosition.read(bad)).toBeUndefined();
  });

  it('time and id: round-trips to the millisecond and refuses a bad id or time', () => {
    const p = { createdAt: new Date('2026-11-25T16:08:00.123Z'), id: '0193a0f4-5b1e-4c3d-9a2b-1f2e3d4c5b6a' };
    expect(timeAndIdPosition.read(timeAndIdPosition.write(p))).toEqual(p);
    for (const bad of [
      [p.createdAt.getTime(), "x' OR 1=1"],
      ['yesterday', p.id],
      [1.5, p.id],
      [p.createdAt.getTime()],
      { c: 1, i: p.id },
      null,
    ])
      expect(timeAndIdPosition.read(bad)).toBeUndefined();
  });

  it('uuid and key: accept only their own kind of value', () => {
    expect(uuidPosition.read('0193a0f4-5b1e-4c3d-9a2b-1f2e3d4c5b6a')).toBe(
      '0193a0f4-5b1e-4c3d-9a2b-1f2e3d4c5b6a',
    );
    expect(uuidPosition.read('not-a-uuid')).toBeUndefined();
    expect(keyPosition.read('skd')).toBe('skd');
    expect(keyPosition.read(7)).toBeUndefined();
  });
});
