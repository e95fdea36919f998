import { describe, expect, it } from '@jest/globals';
import { AccessRequestEvents, type AccessRequestEvent } from './access-request-events.js';
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

describe('AccessRequestEvents', () => {
  it('builds an event with a fresh id, the change time and both parties', () => {
    const a = AccessRequestEvents.event('access-request.approved', request);
    const b = AccessRequestEvents.event('access-request.approved', request);
    expect(a).toMatchObject({
      type: 'access-request.approved',
      time: request.updatedAt,
      parties: { consumer: '991825827', owner: '974761076' },
    });
    expect(a.id).not.toBe(b.id);
  });

  it('keeps telling other listeners when one throws or rejects, and stops after unsubscribe', async () => {
    const events = new AccessRequestEvents();
    const got: string[] = [];
    events.onChange(() => {
      throw new Error('boom');
    });
    events.onChange(() => Promise.reject(new Error('async boom')));
    const off = events.onChange((e: AccessRequestEvent) => {
      got.push(e.type);
    });
    const e = AccessRequestEvents.event('access-request.approved', request);
    expect(() => events.committed(e)).not.toThrow();
    await new Promise((r) => setImmediate(r));
    off();
    events.committed(e);
    expect(got).toEqual(['access-request.approved']);
  });

  it('runs in-transaction hooks in order and lets a failing hook fail the change', async () => {
    const events = new AccessRequestEvents();
    const calls: string[] = [];
    events.useInTransaction(async () => {
      calls.push('first');
    });
    const off = events.useInTransaction(async () => {
      calls.push('second');
      throw new Error('outbox full');
    });
    const e = AccessRequestEvents.event('access-request.created', { ...request, status: 'pending' });
    await expect(events.inTransaction({} as never, e)).rejects.toThrow('outbox full');
    off();
    await events.inTransaction({} as never, e);
    expect(calls).toEqual(['first', 'second', 'first']);
  });
});
