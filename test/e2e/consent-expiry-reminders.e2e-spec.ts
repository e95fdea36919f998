import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsentExpiryReminders } from '../../src/consents/consent-expiry-reminders.js';
import { ConsentExpirySweeper } from '../../src/consents/consent-expiry.sweeper.js';
import { ConsentsService } from '../../src/consents/consents.service.js';
import type { TestApp } from '../helpers/app.js';
import { appWithBackgroundSweepStopped, sweepableConsent } from '../factories/sweep-fixtures.js';
import { createResource } from '../factories/registry.js';
import { CONSENT_PATH, EVENTS_PATH, http, sql, type ConsentWorld } from '../factories/consent-fixtures.js';
import { receiverPool } from '../factories/webhook-deliveries.js';
import { eventually, subscribe } from '../factories/webhook-fixtures.js';

/**
 * Expiry reminders (beyond Altinn; docs/consent-lifecycle.md): the expiry sweeper writes one
 * `expiring` event per accepted consent EXPIRY_REMINDER_DAYS before `validTo`, delivered as the
 * `consent.expiring` webhook and shown in the feed only to a reader who asks for it. The
 * reminders' clock is moved forward instead of waiting.
 */

const DAY = 24 * 3600 * 1000;
let t: TestApp;
let w: ConsentWorld;
let reminders: ConsentExpiryReminders;
let sweeper: ConsentExpirySweeper;
const receiver = receiverPool();

beforeAll(async () => {
  // sweepAt runs the expiry sweep and the reminders by hand, with its clock.
  ({ t, w } = await appWithBackgroundSweepStopped({ EXPIRY_REMINDER_DAYS: '7' }));
  reminders = t.app.get(ConsentExpiryReminders);
  sweeper = t.app.get(ConsentExpirySweeper);
});

afterAll(async () => {
  await t?.close();
});

/** Runs the sweeper as if it were `at`. */
async function sweepAt(at: number): Promise<void> {
  reminders.clock = () => at;
  try {
    await sweeper.sweepAll(); // expires what is due (a stopped sweeper leaves the reminders out)
    await reminders.remindDue();
  } finally {
    reminders.clock = () => Date.now();
  }
}

function consentValidFor(days: number, accept = true, resource = w.resource): Promise<string> {
  return sweepableConsent(t, w, { validTo: new Date(Date.now() + days * DAY), accept, resource });
}

async function expiringEvents(id: string): Promise<number> {
  const rows = await sql(
    t,
    `SELECT count(*)::int AS n FROM consent_events WHERE consent_request_id = $1 AND event_type = 'expiring'`,
    [id],
  );
  return rows[0].n as number;
}

describe('expiring reminders from the expiry sweeper', () => {
  it('writes one expiring event when validTo comes within the configured days, and never again', async () => {
    const id = await consentValidFor(30);
    await sweepAt(Date.now());
    expect(await expiringEvents(id)).toBe(0);
    await sweepAt(Date.now() + 22 * DAY); // 8 days left: not yet
    expect(await expiringEvents(id)).toBe(0);
    await sweepAt(Date.now() + 24 * DAY); // 6 days left
    expect(await expiringEvents(id)).toBe(1);
    await sweepAt(Date.now() + 25 * DAY);
    expect(await expiringEvents(id)).toBe(1);
    const [event] = await sql(
      t,
      `SELECT performed_by, created_at FROM consent_events WHERE consent_request_id = $1 AND event_type = 'expiring'`,
      [id],
    );
    expect(event.performed_by).toBeNull();
  });

  it('reminds only accepted consents: not unanswered requests, not revoked ones', async () => {
    const unanswered = await consentValidFor(3, false);
    const revoked = await consentValidFor(3);
    const pid = (await sql(t, 'SELECT from_party FROM consent_requests WHERE id = $1', [revoked]))[0]
      .from_party as string;
    await t.app.get(ConsentsService).revoke(revoked, { personId: pid.split(':').at(-1)! });
    await sweepAt(Date.now());
    expect(await expiringEvents(unanswered)).toBe(0);
    expect(await expiringEvents(revoked)).toBe(0);
  });

  it('writes one reminder when two sweeps (replicas) run at once', async () => {
    const ids = await Promise.all([1, 2, 3, 4, 5].map(() => consentValidFor(2)));
    reminders.clock = () => Date.now();
    await Promise.all([reminders.remindDue(), reminders.remindDue(), reminders.remindDue()]);
    for (const id of ids) expect(await expiringEvents(id)).toBe(1);
  });

  it("reminds earlier for a resource whose policy asks for more days than the platform's", async () => {
    const owned = await createResource(t, w.owner, { consentMetadata: { inntektsaar: { optional: false } } });
    const policy = await http(
      t,
      'PUT',
      `/resourceregistry/api/v1/resource/${owned.identifier}/policy`,
      w.owner.auth,
      {
        expiryReminderDays: 20,
      },
    );
    expect(policy.status).toBe(200);
    const early = await consentValidFor(15, true, owned.identifier);
    const platformOnly = await consentValidFor(15);
    await sweepAt(Date.now());
    expect(await expiringEvents(early)).toBe(1);
    expect(await expiringEvents(platformOnly)).toBe(0);
    // With reminders off for the platform, the policy still asks for its own.
    const later = await consentValidFor(15, true, owned.identifier);
    t.config.expiryReminderDays = 0;
    try {
      await sweepAt(Date.now());
    } finally {
      t.config.expiryReminderDays = 7;
    }
    expect(await expiringEvents(later)).toBe(1);
  });

  it('writes nothing when EXPIRY_REMINDER_DAYS is 0 (the default)', async () => {
    const id = await consentValidFor(1);
    t.config.expiryReminderDays = 0;
    try {
      await sweepAt(Date.now());
    } finally {
      t.config.expiryReminderDays = 7;
    }
    expect(await expiringEvents(id)).toBe(0);
  });
});

describe('what the consumer sees', () => {
  it('gets a consent.expiring webhook when subscribed to expiring', async () => {
    const r = await receiver();
    await subscribe(t, w.consumer.org, r.url, ['expiring']);
    const id = await consentValidFor(5);
    await sweepAt(Date.now());
    const delivery = await eventually(() => r.received.find((d) => d.body?.data?.consentRequestId === id));
    expect(delivery.body.type).toBe('consent.expiring');
    expect(delivery.body.data).toEqual({
      consentRequestId: id,
      eventType: 'expiring',
      changedDate: expect.any(String),
    });
  });

  it("keeps reminders out of Altinn's shapes unless the feed is asked for them by eventType", async () => {
    const id = await consentValidFor(4);
    await sweepAt(Date.now());
    expect(await expiringEvents(id)).toBe(1);

    const plain = await http(t, 'GET', `${EVENTS_PATH}?consentRequestId=${id}`, w.consumer.auth);
    expect(plain.status).toBe(200);
    expect(plain.body.data.map((e: { eventType: string }) => e.eventType)).toEqual(['created', 'accepted']);

    const asked = await http(
      t,
      'GET',
      `${EVENTS_PATH}?consentRequestId=${id}&eventType=expiring`,
      w.consumer.auth,
    );
    expect(asked.status).toBe(200);
    expect(asked.body.data).toEqual([
      { consentRequestId: id, eventType: 'expiring', changedDate: expect.any(String) },
    ]);

    const both = await http(
      t,
      'GET',
      `${EVENTS_PATH}?consentRequestId=${id}&eventType=accepted,expiring`,
      w.consumer.auth,
    );
    expect(both.body.data.map((e: { eventType: string }) => e.eventType)).toEqual(['accepted', 'expiring']);

    const details = await http(t, 'GET', `${CONSENT_PATH}/${id}`, w.consumer.auth);
    expect(details.body.consentRequestEvents.map((e: { eventType: string }) => e.eventType)).toEqual([
      'created',
      'accepted',
    ]);
  });
});
