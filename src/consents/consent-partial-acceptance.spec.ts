import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../common/errors/domain-error.js';
import { parseConsentRequestBody } from './consent-request.parser.js';
import {
  declinedFor,
  grantedRights,
  readPartialAcceptance,
  rightsWithOutcome,
} from './consent-partial-acceptance.js';
import type { ConsentRight } from './consent.record.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const rightBody = (value: string, extra: Record<string, unknown> = {}) => ({
  action: ['consent'],
  resource: [{ type: 'urn:altinn:resource', value }],
  ...extra,
});
const body = (rights: unknown[], extra: Record<string, unknown> = {}) => ({
  id: '0197593f-1794-7748-b5f2-91086bbecc3e',
  from: 'urn:altinn:person:identifier-no:02013299997',
  to: 'urn:altinn:organization:identifier-no:991825827',
  validTo: '2027-01-01T00:00:00Z',
  consentRights: rights,
  redirectUrl: 'https://bank.example/done',
  ...extra,
});
const codes = (b: unknown) =>
  parseConsentRequestBody(b, NOW).problems.map((p) => `${p.code} ${p.paths.join()}`);

const rights: ConsentRight[] = ['a-res', 'b-res', 'c-res'].map((value) => ({
  action: ['consent'],
  resource: [{ type: 'urn:altinn:resource', value }],
  metadata: null,
}));

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('the opt-in in a create body', () => {
  it('reads allowPartialAcceptance (any spelling) and the required rights', () => {
    const { value, problems } = parseConsentRequestBody(
      body([rightBody('a-res', { Required: true }), rightBody('b-res', { required: false })], {
        AllowPartialAcceptance: true,
      }),
      NOW,
    );
    expect(problems).toEqual([]);
    expect(value.partial).toEqual({ required: [0] });
  });

  it('leaves a body without it (or with false) as Altinn reads it', () => {
    expect(
      parseConsentRequestBody(body([rightBody('a-res'), rightBody('b-res')]), NOW).value.partial,
    ).toBeNull();
    const off = body([rightBody('a-res'), rightBody('b-res')], { allowPartialAcceptance: false });
    expect(parseConsentRequestBody(off, NOW).value.partial).toBeNull();
  });

  it('refuses what cannot mean anything, naming the field', () => {
    expect(codes(body([rightBody('a-res')], { allowPartialAcceptance: true }))).toEqual([
      'PA-00001 /allowPartialAcceptance',
    ]);
    expect(codes(body([rightBody('a-res'), rightBody('b-res', { required: true })]))).toEqual([
      'PA-00002 /consentRights/1/required',
    ]);
    const all = body([rightBody('a-res', { required: true }), rightBody('b-res', { required: true })], {
      allowPartialAcceptance: true,
    });
    expect(codes(all)).toEqual(['PA-00003 /consentRights']);
    expect(codes(body([rightBody('a-res'), rightBody('b-res')], { allowPartialAcceptance: 1 }))).toEqual([
      'STD.VLD-00001 /allowPartialAcceptance',
    ]);
  });
});

describe('an acceptance', () => {
  const partial = { required: [0], declined: null };

  it('declines what was not chosen', () => {
    expect(declinedFor(partial, 3, [0, 2])).toEqual([1]);
    expect(declinedFor(partial, 3, [2, 1, 0])).toEqual([]);
    expect(declinedFor(partial, 3, undefined)).toEqual([]);
  });

  it('refuses nothing chosen, a required right left out, and rights the request does not have', () => {
    expect(refusal(() => declinedFor(partial, 3, []))).toBe('PA-00004');
    expect(refusal(() => declinedFor(partial, 3, [1, 2]))).toBe('PA-00005');
    expect(refusal(() => declinedFor(partial, 3, [0, 3]))).toBe('PA-00006');
    expect(refusal(() => declinedFor(partial, 3, [0, 0]))).toBe('PA-00006');
    expect(refusal(() => declinedFor(partial, 3, [0.5]))).toBe('PA-00006');
  });

  it('takes only a whole acceptance of a request that did not opt in', () => {
    expect(declinedFor(null, 2, [1, 0])).toEqual([]);
    expect(refusal(() => declinedFor(null, 2, [0]))).toBe('PA-00006');
  });
});

describe('what a consent grants', () => {
  it('is every right unless some were declined', () => {
    expect(grantedRights(rights, null)).toBe(rights);
    expect(grantedRights(rights, { required: [], declined: null })).toBe(rights);
    expect(grantedRights(rights, { required: [], declined: [0, 2] })).toEqual([rights[1]]);
  });

  it('marks each right required and, once decided, accepted', () => {
    expect(rightsWithOutcome(rights, { required: [1], declined: null })).toEqual([
      rights[0],
      { ...rights[1], required: true },
      rights[2],
    ]);
    expect(
      rightsWithOutcome(rights, { required: [1], declined: [2] }).map((r) => [r.required, r.accepted]),
    ).toEqual([
      [undefined, true],
      [true, true],
      [undefined, false],
    ]);
  });

  it('reads the stored JSON defensively (anything odd is no partial acceptance or no decision)', () => {
    expect(readPartialAcceptance(null)).toBeNull();
    expect(readPartialAcceptance('x')).toBeNull();
    expect(readPartialAcceptance({ required: [1] })).toEqual({ required: [1], declined: null });
    expect(readPartialAcceptance({ required: [1], declined: [0] })).toEqual({ required: [1], declined: [0] });
    expect(readPartialAcceptance({ required: ['x'], declined: [-1] })).toEqual({
      required: [],
      declined: null,
    });
  });
});
