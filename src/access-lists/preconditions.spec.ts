import { describe, expect, it } from '@jest/globals';
import {
  evaluateConditions,
  etagOf,
  lastModifiedOf,
  MalformedConditionError,
  parseConditions,
  type VersionedState,
} from './preconditions.js';

const state: VersionedState = { version: 3, updatedAt: new Date('2026-01-12T09:00:00.750Z') };
const lm = lastModifiedOf(state.updatedAt); // 'Mon, 12 Jan 2026 09:00:00 GMT'
const earlier = 'Mon, 12 Jan 2026 08:59:59 GMT';

function outcome(headers: Record<string, string>, s: VersionedState | null = state, isRead = true) {
  return evaluateConditions(parseConditions(headers), s, isRead);
}

describe('conditional requests on access lists', () => {
  it('formats the weak entity tag and the HTTP-date', () => {
    expect(etagOf(3)).toBe('W/"3"');
    expect(lm).toBe('Mon, 12 Jan 2026 09:00:00 GMT');
  });

  it('proceeds without any condition, also for a missing list', () => {
    expect(outcome({})).toBe('proceed');
    expect(outcome({}, null, false)).toBe('proceed');
  });

  it('passes If-Match when one tag (weak or strong) names the version or it is *, and fails otherwise', () => {
    expect(outcome({ 'if-match': 'W/"3"' })).toBe('proceed');
    expect(outcome({ 'if-match': '"3"' })).toBe('proceed');
    expect(outcome({ 'if-match': 'W/"1", W/"3"' })).toBe('proceed');
    expect(outcome({ 'if-match': '*' })).toBe('proceed');
    expect(outcome({ 'if-match': 'W/"2"' })).toBe('failed');
    expect(outcome({ 'if-match': 'W/"abc"' })).toBe('failed');
    expect(outcome({ 'if-match': '*' }, null, false)).toBe('failed');
    expect(outcome({ 'if-match': 'W/"3"' }, null, false)).toBe('failed');
  });

  it('answers a matching If-None-Match with 304 on reads and 412 on writes', () => {
    expect(outcome({ 'if-none-match': 'W/"3"' }, state, true)).toBe('not-modified');
    expect(outcome({ 'if-none-match': 'W/"3"' }, state, false)).toBe('failed');
    expect(outcome({ 'if-none-match': '*' }, state, true)).toBe('not-modified');
    expect(outcome({ 'if-none-match': '*' }, state, false)).toBe('failed');
    expect(outcome({ 'if-none-match': '*' }, null, false)).toBe('proceed');
    expect(outcome({ 'if-none-match': 'W/"2"' }, state, true)).toBe('proceed');
  });

  it('compares dates at whole seconds and ignores an unparsable date', () => {
    expect(outcome({ 'if-modified-since': lm })).toBe('not-modified');
    expect(outcome({ 'if-modified-since': earlier })).toBe('proceed');
    expect(outcome({ 'if-modified-since': lm }, state, false)).toBe('failed');
    expect(outcome({ 'if-unmodified-since': lm })).toBe('proceed');
    expect(outcome({ 'if-unmodified-since': earlier })).toBe('failed');
    expect(outcome({ 'if-unmodified-since': 'not a date' })).toBe('proceed');
    expect(outcome({ 'if-modified-since': lm }, null, true)).toBe('proceed');
  });

  it('ignores If-Unmodified-Since when If-Match is present, and If-Modified-Since when If-None-Match is', () => {
    expect(outcome({ 'if-match': 'W/"3"', 'if-unmodified-since': earlier })).toBe('proceed');
    expect(outcome({ 'if-none-match': 'W/"2"', 'if-modified-since': lm })).toBe('proceed');
  });

  it('checks If-Match before If-None-Match', () => {
    expect(outcome({ 'if-match': 'W/"2"', 'if-none-match': 'W/"3"' })).toBe('failed');
    expect(outcome({ 'if-match': 'W/"3"', 'if-none-match': 'W/"3"' })).toBe('not-modified');
  });

  it('refuses a malformed entity-tag list, naming the header', () => {
    expect(() => parseConditions({ 'if-match': 'W/3' })).toThrow(MalformedConditionError);
    expect(() => parseConditions({ 'if-none-match': '"1", nope' })).toThrow(
      expect.objectContaining({ header: 'If-None-Match' }),
    );
    expect(parseConditions({ 'if-match': ' , W/"4" ,' }).ifMatch).toEqual([4]);
    expect(parseConditions({ 'if-match': '' }).ifMatch).toBeUndefined();
  });
});
