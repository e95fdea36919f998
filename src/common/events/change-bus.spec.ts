import { describe, expect, it } from '@jest/globals';
import { ChangeBus, changesOf } from './change-bus.js';

const OTHER = '7d1c0c55-3a2e-4c59-9d1b-2f0a4b7e9c11';

describe('changesOf (what a NOTIFY from another replica delivers here)', () => {
  it('delivers a single change and every id of a batched one', () => {
    const single = ChangeBus.notification('scope', 'skd:inntekt').payload.replace(ChangeBus.origin, OTHER);
    expect(changesOf(single, ChangeBus.origin)).toEqual([
      { topic: 'scope', id: 'skd:inntekt', origin: OTHER },
    ]);
    const batch = JSON.stringify({ topic: 'consent', ids: ['a', 'b'], origin: OTHER });
    expect(changesOf(batch, ChangeBus.origin).map((e) => e.id)).toEqual(['a', 'b']);
  });

  it("skips this process's own notifications (they were emitted in-process already)", () => {
    expect(changesOf(ChangeBus.notification('client', 'c1').payload, ChangeBus.origin)).toEqual([]);
  });

  it('ignores malformed payloads, unknown topics and ids that are not strings', () => {
    expect(changesOf(undefined, ChangeBus.origin)).toEqual([]);
    expect(changesOf('{not json', ChangeBus.origin)).toEqual([]);
    expect(changesOf('null', ChangeBus.origin)).toEqual([]);
    expect(changesOf(JSON.stringify({ topic: 'nope', id: 'x', origin: OTHER }), ChangeBus.origin)).toEqual(
      [],
    );
    expect(
      changesOf(JSON.stringify({ topic: 'consent', ids: ['a', 1, null], origin: OTHER }), ChangeBus.origin),
    ).toEqual([{ topic: 'consent', id: 'a', origin: OTHER }]);
  });
});
