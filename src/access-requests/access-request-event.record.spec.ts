import { describe, expect, it } from '@jest/globals';
import { accessRequestEvent } from './access-request-event.record.js';
import type { AccessRequestDto } from './dto/access-request.dto.js';

const request: AccessRequestDto = {
  id: '0193a0f4-5b1e-4c3d-9a2b-1f2e3d4c5b6a',
  resource: 'skd-inntekt-samtykke',
  consumerOrgNumber: '991825827',
  ownerOrgNumber: '974761076',
  scopes: ['skd:inntekt'],
  message: '',
  status: 'approved',
  reason: null,
  accessList: 'banker',
  createdAt: '2026-11-25T16:08:00.000Z',
  updatedAt: '2026-11-25T16:09:00.000Z',
  contactPoints: [],
};

describe('accessRequestEvent', () => {
  it('builds an event with a fresh id, the change time and both parties', () => {
    const a = accessRequestEvent('access-request.approved', request);
    const b = accessRequestEvent('access-request.approved', request);
    expect(a).toMatchObject({
      type: 'access-request.approved',
      time: request.updatedAt,
      request,
      parties: { consumer: '991825827', owner: '974761076' },
    });
    expect(a.id).not.toBe(b.id);
  });
});
