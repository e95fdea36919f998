import { describe, expect, it } from '@jest/globals';
import type { ConsentRequest } from '../generated/prisma/client.js';
import { CONSENT_CREATE_SQL, consentCreateValues } from './consent-create.repository.js';

const row: ConsentRequest = {
  id: '0197593f-1794-7748-b5f2-91086bbecc3e',
  fromParty: 'urn:altinn:person:identifier-no:02013299997',
  requiredDelegator: null,
  toOrg: '991825827',
  handledBy: '923609016',
  validTo: new Date('2027-01-01T00:00:00Z'),
  consentRights: [{ action: ['consent'], resource: [{ type: 'urn:altinn:resource', value: 'ske-inntekt' }] }],
  resources: ['ske-inntekt'],
  resourceVersions: { 'ske-inntekt': '0197593f-0000-7000-8000-000000000000' },
  templateId: 'default',
  templateVersion: 1,
  isOneTime: false,
  requestMessage: null,
  redirectUrl: 'https://bank.example/done',
  portalViewMode: 'hide',
  partialAcceptance: null,
  ownerOrg: '974760673',
  status: 'created',
  consented: null,
  createdAt: new Date('2026-06-01T00:00:00Z'),
  updatedAt: new Date('2026-06-01T00:00:00Z'),
  version: 1,
};

describe('the consent create statement', () => {
  const values = consentCreateValues(row, {
    eventId: '0197593f-1795-7000-8000-000000000001',
    performedBy: 'urn:altinn:organization:identifier-no:991825827',
    actor: { org: '991825827', client: 'client-1' },
    auditAfter: { from: row.fromParty, validTo: row.validTo },
  });

  it('binds exactly one value per placeholder', () => {
    const numbers = [...CONSENT_CREATE_SQL.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    expect(Math.max(...numbers)).toBe(values.length);
    expect(new Set(numbers).size).toBe(values.length);
  });

  it('sends JSON as text, times as ISO strings and SQL NULL for absent values', () => {
    expect(values[6]).toBe(JSON.stringify(row.consentRights));
    expect(values[5]).toBe('2027-01-01T00:00:00.000Z');
    expect(values[2]).toBeNull();
    expect(values[12]).toBeNull();
    expect(JSON.parse(values[21] as string)).toEqual({
      from: row.fromParty,
      validTo: '2027-01-01T00:00:00.000Z',
    });
    expect(values[22]).toBe('0197593f-1795-7000-8000-000000000001');
    expect(values[24]).toBeNull();
  });

  it('stores a partial acceptance opt-in as JSON text', () => {
    const partial = consentCreateValues(
      { ...row, partialAcceptance: { required: [0] } },
      { eventId: row.id, performedBy: 'x', actor: { org: '991825827', client: null }, auditAfter: {} },
    );
    expect(JSON.parse(partial[24] as string)).toEqual({ required: [0] });
  });

  it('publishes through its event row, not a NOTIFY of its own (the sequencer notifies per batch)', () => {
    expect(CONSENT_CREATE_SQL).not.toMatch(/pg_notify/i);
    expect(CONSENT_CREATE_SQL).toMatch(/INSERT INTO consent_events/);
  });
});
