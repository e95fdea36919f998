import { describe, expect, it } from '@jest/globals';
import { parseParty } from './consent-party.parser.js';
import { orderProblems, parseConsentRequestBody } from './consent-request.parser.js';
import { parseIsoDateTime } from './iso-datetime.js';
import { effectiveStatus } from './consent.mapper.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const valid = () => ({
  id: '0197593F-1794-7748-b5f2-91086bbecc3e',
  from: 'urn:altinn:person:identifier-no:02013299997',
  to: 'urn:altinn:organization:identifier-no:991825827',
  validTo: '2027-01-01T00:00:00+01:00',
  consentRights: [
    {
      action: ['consent'],
      resource: [{ type: 'urn:altinn:resource', value: 'ske-inntekt' }],
      metadata: { aar: '2024' },
    },
  ],
  redirectUrl: 'https://bank.example/done',
});

describe('parseConsentRequestBody', () => {
  it('parses a valid body, lower-casing the id and reading the offset', () => {
    const { value, problems } = parseConsentRequestBody(valid(), NOW);
    expect(problems).toEqual([]);
    expect(value).toEqual({
      id: '0197593f-1794-7748-b5f2-91086bbecc3e',
      from: { type: 'person', id: '02013299997', urn: 'urn:altinn:person:identifier-no:02013299997' },
      toOrg: '991825827',
      requiredDelegator: null,
      validTo: new Date('2026-12-31T23:00:00Z'),
      rights: [{ index: 0, action: ['consent'], resource: 'ske-inntekt', metadata: { aar: '2024' } }],
      requestMessage: null,
      redirectUrl: 'https://bank.example/done',
      portalViewMode: 'hide',
      partial: null,
    });
  });

  it('matches property names case-insensitively (Altinn guide writes metaData) and refuses duplicates', () => {
    const body = { ...valid(), ValidTo: '2027-01-01T00:00:00Z' } as Record<string, unknown>;
    delete body.validTo;
    (body.consentRights as Record<string, unknown>[])[0] = {
      Action: ['consent'],
      Resource: [{ Type: 'urn:altinn:resource', VALUE: 'ske-inntekt' }],
      metaData: { aar: '1' },
    };
    expect(parseConsentRequestBody(body, NOW).problems).toEqual([]);
    const dup = { ...valid(), ID: 'x' };
    expect(parseConsentRequestBody(dup, NOW).problems.map((p) => [p.code, p.paths[0]])).toEqual([
      ['STD.VLD-00001', '/id'],
    ]);
  });

  it('collects every structural problem with JSON-pointer paths', () => {
    const body = {
      id: 5,
      from: 'urn:altinn:organization:identifier-no:991825828',
      to: 'urn:altinn:person:identifier-no:02013299997',
      requiredDelegator: 'urn:altinn:organization:identifier-no:991825827',
      validTo: '2026-05-31T23:59:59Z',
      consentRights: [
        { action: [], resource: [] },
        'x',
        { action: ['a b'], resource: [{ type: 'urn:altinn:resource', value: 'X' }], metadata: { k: 1 } },
      ],
      requestMessage: { de: 'hallo' },
      redirectUrl: 'javascript:alert(1)',
      portalViewMode: 'full',
    };
    const problems = parseConsentRequestBody(body, NOW).problems.map((p) => [p.code, p.paths[0]]);
    expect(problems).toEqual([
      ['STD.VLD-00001', '/id'],
      ['AM-00003', '/from'],
      ['AM.VLD-00001', '/to'],
      ['AM.VLD-00001', '/requiredDelegator'],
      ['AM.VLD-00022', '/validTo'],
      ['STD.VLD-00000', '/consentRights/0/action'],
      ['AM-00005', '/consentRights/0/resource'],
      ['STD.VLD-00001', '/consentRights/1'],
      ['STD.VLD-00001', '/consentRights/2/action/0'],
      ['AM-00005', '/consentRights/2/resource/0/value'],
      ['STD.VLD-00001', '/consentRights/2/metadata/k'],
      ['STD.VLD-00002', '/requestMessage/de'],
      ['AM.VLD-00027', '/redirectUrl'],
      ['STD.VLD-00001', '/portalViewMode'],
    ]);
  });

  it('requires id, from, to, validTo, consentRights and redirectUrl', () => {
    const problems = parseConsentRequestBody({}, NOW).problems.map((p) => [p.code, p.paths[0]]);
    expect(problems).toEqual([
      ['STD.VLD-00000', '/id'],
      ['STD.VLD-00000', '/from'],
      ['STD.VLD-00000', '/to'],
      ['STD.VLD-00000', '/validTo'],
      ['STD.VLD-00000', '/consentRights'],
      ['STD.VLD-00000', '/redirectUrl'],
    ]);
  });

  it('orders problems as Altinn checks them once resource problems are added', () => {
    const p = (code: string, path: string) => ({ code, title: code, paths: [path] });
    expect(
      orderProblems([
        p('A', '/redirectUrl'),
        p('B', '/consentRights/1/x'),
        p('STD.VLD-00002', '/zz'),
        p('C', '/consentRights/0/y'),
        p('D', '/from'),
      ]).map((x) => x.code),
    ).toEqual(['STD.VLD-00002', 'D', 'C', 'B', 'A']);
  });
});

describe('parties', () => {
  it.each([
    ['urn:altinn:person:identifier-no:02013299997', 'person'],
    ['urn:altinn:organization:identifier-no:991825827', 'organization'],
  ])('reads %s', (urn, type) => {
    expect(parseParty(urn, '/from', 'from')).toEqual({ party: expect.objectContaining({ type, urn }) });
  });

  it.each([
    ['urn:altinn:person:identifier-no:02013299996', 'AM-00004'],
    ['urn:altinn:organization:identifier-no:123456789', 'AM-00003'],
    ['urn:altinn:person:identifier-no:0201329999', 'AM.VLD-00001'],
    ['URN:ALTINN:PERSON:IDENTIFIER-NO:02013299997', 'AM.VLD-00001'],
    ['urn:altinn:party:uuid:0197593f-1794-7748-b5f2-91086bbecc3e', 'AM.VLD-00001'],
    [42, 'AM.VLD-00001'],
    ['', 'STD.VLD-00000'],
  ])('refuses %j with %s', (urn, code) => {
    expect(parseParty(urn, '/from', 'from')).toEqual({ problem: expect.objectContaining({ code }) });
  });
});

describe('ISO date-times', () => {
  it.each([
    ['2026-07-18T06:18:12.2597103+00:00', '2026-07-18T06:18:12.259Z'],
    ['2026-07-18T08:18:12+02:00', '2026-07-18T06:18:12.000Z'],
    ['2026-07-18T06:18:12', '2026-07-18T06:18:12.000Z'],
    ['2026-07-18', '2026-07-18T00:00:00.000Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  ])('reads %s', (s, iso) => {
    expect(parseIsoDateTime(s)?.toISOString()).toBe(iso);
  });
  it.each([
    '2026-02-30',
    '2027-02-29T00:00:00Z',
    '2026-07-18T24:00:00Z',
    '2026-13-01',
    'tomorrow',
    '2026-07-18T06:18:12+15:00',
    '0099-01-01',
    17,
  ])('refuses %j', (s) => {
    expect(parseIsoDateTime(s)).toBeNull();
  });
});

describe('effective status', () => {
  it('reads accepted and created past validTo as expired, other states as stored', () => {
    const past = new Date(NOW.getTime() - 1);
    const future = new Date(NOW.getTime() + 1);
    expect(effectiveStatus('accepted', past, NOW)).toBe('expired');
    expect(effectiveStatus('created', NOW, NOW)).toBe('expired');
    expect(effectiveStatus('accepted', future, NOW)).toBe('accepted');
    expect(effectiveStatus('revoked', past, NOW)).toBe('revoked');
    expect(effectiveStatus('used', past, NOW)).toBe('used');
  });
});
