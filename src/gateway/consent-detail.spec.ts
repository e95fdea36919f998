import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../common/errors/domain-error.js';
import {
  findMatchingRight,
  normaliseRights,
  parseConsentDetail,
  parseTime,
  ConsentDetailMemo,
} from './consent-detail.js';

const FROM = 'urn:altinn:person:identifier-no:25922947409';

function detail(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'urn:altinn:consent',
    id: 'F70542A8-D97A-40A8-9EF7-221603FFD5E6',
    from: FROM,
    to: { authority: 'iso6523-actorid-upis', ID: '0192:991825827' },
    consented: '2026-02-03T10:14:05.419279+00:00',
    validTo: '2027-02-03T10:13:27.897002+00:00',
    consentRights: [
      {
        action: ['consent'],
        resource: [{ type: 'urn:altinn:resource', value: 'ske-samtykke-sbl-inntekt' }],
        metadata: { tilogmed: '2024-12', fraogmed: '2024-01' },
      },
    ],
    ...overrides,
  };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return `${e.status} ${e.code}`;
    throw e;
  }
  return 'none';
}

describe('parseConsentDetail', () => {
  it('parses the Altinn wire sample into a normalised detail', () => {
    const d = parseConsentDetail([detail()]);
    expect(d).toMatchObject({
      id: 'f70542a8-d97a-40a8-9ef7-221603ffd5e6',
      from: { type: 'person', id: '25922947409' },
      fromUrn: FROM,
      toOrg: '991825827',
      toUrn: 'urn:altinn:organization:identifier-no:991825827',
      consentedMs: Date.parse('2026-02-03T10:14:05.419Z'),
      validToMs: Date.parse('2027-02-03T10:13:27.897Z'),
    });
    expect(d.rights[0].metadata).toEqual({ fraogmed: '2024-01', tilogmed: '2024-12' });
    expect(d.rights[0].metadataHeader).toBe('{"fraogmed":"2024-01","tilogmed":"2024-12"}');
  });

  it('ignores authorization details of other types next to the consent', () => {
    expect(parseConsentDetail([{ type: 'urn:example:other', x: 1 }, detail()]).id).toBe(
      'f70542a8-d97a-40a8-9ef7-221603ffd5e6',
    );
  });

  it.each([
    ['absent', undefined],
    ['not an array', detail()],
    ['an empty array', []],
    ['a member that is not an object', ['x', detail()]],
    ['a member without a string type', [{ type: 3 }, detail()]],
    ['two consent details', [detail(), detail()]],
  ])('refuses authorization_details that are %s with 403 GW-00005', (_what, value) => {
    expect(codeOf(() => parseConsentDetail(value))).toBe('403 GW-00005');
  });

  it.each([
    ['id', { id: 'x' }],
    ['from', { from: '25922947409' }],
    ['from checksum', { from: 'urn:altinn:person:identifier-no:25922947408' }],
    ['to', { to: '0192:991825827' }],
    ['consented', { consented: '2026-02-03' }],
    ['validTo', { validTo: null }],
    ['consentRights (empty)', { consentRights: [] }],
    [
      'consentRights (action not a list)',
      { consentRights: [{ action: 'consent', resource: [{ type: 'urn:altinn:resource', value: 'r' }] }] },
    ],
    [
      'consentRights (metadata value)',
      {
        consentRights: [
          {
            action: ['consent'],
            resource: [{ type: 'urn:altinn:resource', value: 'r' }],
            metadata: { a: 1 },
          },
        ],
      },
    ],
  ])('refuses a malformed %s inside the detail with 401 GW-00009', (_what, override) => {
    expect(codeOf(() => parseConsentDetail([detail(override)]))).toBe('401 GW-00009');
  });
});

describe('normaliseRights', () => {
  it('treats absent, null and empty metadata alike and ignores metadata key order', () => {
    const base = { action: ['consent'], resource: [{ type: 'urn:altinn:resource', value: 'r1' }] };
    const keys = [undefined, null, {}].map((metadata) => normaliseRights([{ ...base, metadata }])!.key);
    expect(new Set(keys).size).toBe(1);
    expect(normaliseRights([{ ...base, metadata: { a: '1', b: '2' } }])!.key).toBe(
      normaliseRights([{ ...base, metadata: { b: '2', a: '1' } }])!.key,
    );
    expect(normaliseRights([{ ...base, metadata: { a: '1' } }])!.key).not.toBe(
      normaliseRights([{ ...base, metadata: { a: '2' } }])!.key,
    );
  });

  it('escapes non-ASCII metadata so the header value is plain ASCII', () => {
    const r = normaliseRights([
      {
        action: ['consent'],
        resource: [{ type: 'urn:altinn:resource', value: 'r1' }],
        metadata: { by: 'Tromsø' },
      },
    ]);
    expect(r!.rights[0].metadataHeader).toBe('{"by":"Troms\\u00f8"}');
    expect(JSON.parse(r!.rights[0].metadataHeader)).toEqual({ by: 'Tromsø' });
  });
});

describe('ConsentDetailMemo: rights', () => {
  const ID = 'f70542a8-d97a-40a8-9ef7-221603ffd5e6';
  const rights = () => structuredClone(detail().consentRights) as Array<Record<string, unknown>>;

  it('gives the remembered normalisation for the same rights in a later token, with keys in any order', () => {
    const memo = new ConsentDetailMemo();
    const first = memo.normalise(ID, rights());
    const later = rights();
    later[0].metadata = { fraogmed: '2024-01', tilogmed: '2024-12' };
    expect(memo.normalise(ID, later)).toBe(first);
    expect(first).toEqual(normaliseRights(rights()));
  });

  it.each([
    ['another action', (r: Array<Record<string, unknown>>) => (r[0].action = ['read'])],
    ['one more action', (r: Array<Record<string, unknown>>) => (r[0].action = ['consent', 'read'])],
    [
      'another resource',
      (r: Array<Record<string, unknown>>) => (r[0].resource = [{ type: 'urn:altinn:resource', value: 'x' }]),
    ],
    [
      'another metadata value',
      (r: Array<Record<string, unknown>>) => (r[0].metadata = { tilogmed: '2025-12', fraogmed: '2024-01' }),
    ],
    [
      'one more metadata key',
      (r: Array<Record<string, unknown>>) =>
        (r[0].metadata = { tilogmed: '2024-12', fraogmed: '2024-01', x: 'y' }),
    ],
    [
      'one metadata key fewer',
      (r: Array<Record<string, unknown>>) => (r[0].metadata = { tilogmed: '2024-12' }),
    ],
    ['no metadata', (r: Array<Record<string, unknown>>) => delete r[0].metadata],
    [
      'a non-string metadata value',
      (r: Array<Record<string, unknown>>) => (r[0].metadata = { tilogmed: 2024, fraogmed: '2024-01' }),
    ],
    [
      'a __proto__ metadata key',
      (r: Array<Record<string, unknown>>) =>
        (r[0].metadata = JSON.parse('{"tilogmed":"2024-12","__proto__":"2024-01"}')),
    ],
    ['a second right', (r: Array<Record<string, unknown>>) => r.push(structuredClone(r[0]))],
    ['an empty list', (r: Array<Record<string, unknown>>) => r.splice(0)],
  ])('normalises afresh when a later token has %s (exactly as normaliseRights would)', (_what, change) => {
    const memo = new ConsentDetailMemo();
    const first = memo.normalise(ID, rights());
    const changed = rights();
    change(changed);
    const got = memo.normalise(ID, changed);
    expect(got).not.toBe(first);
    expect(got).toEqual(normaliseRights(changed));
  });

  it('keeps consents apart, and parseConsentDetail with a memo equals parseConsentDetail without', () => {
    const memo = new ConsentDetailMemo();
    const other = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
    const a = memo.normalise(ID, rights());
    const changed = rights();
    changed[0].action = ['read'];
    expect(memo.normalise(other, changed)).toEqual(normaliseRights(changed));
    expect(memo.normalise(ID, rights())).toBe(a);
    expect(parseConsentDetail([detail()], memo)).toEqual(parseConsentDetail([detail()]));
  });
});

describe('ConsentDetailMemo: whole details', () => {
  const parse = (d: Record<string, unknown>, memo?: ConsentDetailMemo) => {
    try {
      return parseConsentDetail([d], memo);
    } catch (e) {
      return e instanceof DomainError ? `${e.status} ${e.code} ${e.message}` : e;
    }
  };

  it('gives the remembered detail for the same raw detail in a later token', () => {
    const memo = new ConsentDetailMemo();
    const first = parseConsentDetail([detail()], memo);
    expect(parseConsentDetail([detail()], memo)).toBe(first);
    expect(first).toEqual(parseConsentDetail([detail()]));
  });

  it.each([
    ['another from', { from: 'urn:altinn:person:identifier-no:02013299997' }],
    ['a malformed from', { from: 'urn:altinn:person:identifier-no:123' }],
    ['another to', { to: { authority: 'iso6523-actorid-upis', ID: '0192:923609016' } }],
    ['another authority', { to: { authority: 'x', ID: '0192:991825827' } }],
    ['to as a string', { to: '0192:991825827' }],
    ['another consented', { consented: '2026-02-03T10:14:06Z' }],
    ['another validTo', { validTo: '2028-02-03T10:13:27Z' }],
    ['a malformed validTo', { validTo: 'tomorrow' }],
    [
      'other rights',
      { consentRights: [{ action: ['read'], resource: [{ type: 'urn:altinn:resource', value: 'x' }] }] },
    ],
    ['malformed rights', { consentRights: [] }],
    ['the id in lower case', { id: 'f70542a8-d97a-40a8-9ef7-221603ffd5e6' }],
  ])('parses afresh when a later token has %s (exactly as without a memo)', (_what, change) => {
    const memo = new ConsentDetailMemo();
    const first = parseConsentDetail([detail()], memo);
    const got = parse(detail(change), memo);
    expect(got).not.toBe(first);
    expect(got).toEqual(parse(detail(change)));
  });
});

describe('findMatchingRight', () => {
  const d = parseConsentDetail([
    detail({
      consentRights: [
        { action: ['read'], resource: [{ type: 'urn:altinn:resource', value: 'a-resource' }] },
        {
          action: ['consent'],
          resource: [
            { type: 'urn:other', value: 'b-resource' },
            { type: 'urn:altinn:resource', value: 'b-resource' },
          ],
        },
      ],
    }),
  ]);

  it('finds the right that gives the action on one of the API’s resources', () => {
    expect(findMatchingRight(d, new Set(['b-resource']), 'consent')?.resource).toBe('b-resource');
    expect(findMatchingRight(d, new Set(['a-resource']), 'read')?.resource).toBe('a-resource');
  });

  it('finds nothing for another action or another resource', () => {
    expect(findMatchingRight(d, new Set(['a-resource']), 'consent')).toBeNull();
    expect(findMatchingRight(d, new Set(['c-resource']), 'consent')).toBeNull();
  });

  describe('one resource in several rights (inntektsaar 2023 and 2024)', () => {
    const res = (value: string) => [{ type: 'urn:altinn:resource', value }];
    const twice = parseConsentDetail([
      detail({
        consentRights: [
          { action: ['read'], resource: res('inntekt'), metadata: { inntektsaar: '2022' } },
          { action: ['consent'], resource: res('inntekt'), metadata: { inntektsaar: '2023' } },
          { action: ['consent', 'read'], resource: res('inntekt'), metadata: { inntektsaar: '2024' } },
        ],
      }),
    ]);

    it('keeps every right, each with its own metadata', () => {
      expect(twice.rights.map((r) => r.metadataHeader)).toEqual([
        '{"inntektsaar":"2022"}',
        '{"inntektsaar":"2023"}',
        '{"inntektsaar":"2024"}',
      ]);
    });

    it('matches any right that grants the action, the first in the consent’s order when several do', () => {
      const match = (action: string) =>
        findMatchingRight(twice, new Set(['inntekt']), action)?.right.metadataHeader;
      expect(match('consent')).toBe('{"inntektsaar":"2023"}');
      expect(match('read')).toBe('{"inntektsaar":"2022"}');
      expect(match('write')).toBeUndefined();
    });

    it('tells the rights apart when comparing with the stored consent (order included)', () => {
      const stored = normaliseRights([
        { action: ['consent'], resource: res('inntekt'), metadata: { inntektsaar: '2023' } },
        { action: ['consent'], resource: res('inntekt'), metadata: { inntektsaar: '2024' } },
      ])!;
      const swapped = normaliseRights([
        { action: ['consent'], resource: res('inntekt'), metadata: { inntektsaar: '2024' } },
        { action: ['consent'], resource: res('inntekt'), metadata: { inntektsaar: '2023' } },
      ])!;
      const once = normaliseRights([
        { action: ['consent'], resource: res('inntekt'), metadata: { inntektsaar: '2023' } },
      ])!;
      expect(new Set([stored.key, swapped.key, once.key]).size).toBe(3);
    });
  });
});

describe('parseTime', () => {
  it('accepts RFC 3339 times with offsets and sub-millisecond digits only', () => {
    expect(parseTime('2026-02-03T10:14:05Z')).toBe(Date.parse('2026-02-03T10:14:05Z'));
    expect(parseTime('2026-02-03T11:14:05.5+01:00')).toBe(Date.parse('2026-02-03T10:14:05.500Z'));
    expect(parseTime('2026-02-03 10:14:05Z')).toBeNull();
    expect(parseTime(1770113645)).toBeNull();
  });
});
