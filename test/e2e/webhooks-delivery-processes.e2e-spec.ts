/**
 * Webhook deliveries across the life of processes (DESIGN §4.10, §10), each test on a database
 * and apps of its own: the outbox surviving a process that dies between commit and delivery, a
 * lease that runs out, the cursor without subscribers, two replicas never sending one attempt
 * twice at once, clean shutdown. Split from webhooks-delivery.e2e-spec.ts (one app for all) so
 * the two halves run on two Jest workers.
 */
import { describe, expect, it } from '@jest/globals';
import { WebhookDeliveryWorker } from '../../src/webhooks/webhook-delivery.worker.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { consentWorld, sql } from '../factories/consent-fixtures.js';
import {
  dbQuery,
  deliveryLog,
  deliveryLogWhen,
  dueNow,
  eventIdOf,
  newConsent,
  receiverPool,
} from '../factories/webhook-deliveries.js';
import { eventually, subscribe } from '../factories/webhook-fixtures.js';

const receiver = receiverPool();

describe('the transactional outbox', () => {
  it('delivers an event committed by a process that died before its worker sent it, after a restart', async () => {
    const db = await createTestDatabase();
    const r = await receiver();
    const first = await createTestApp({ db });
    let second: TestApp | undefined;
    try {
      const w = await consentWorld(first);
      const sub = await subscribe(first, w.consumer.org, r.url, ['created']);
      // The worker of this process is gone (as if the process were killed right after a commit).
      await first.app.get(WebhookDeliveryWorker).onModuleDestroy();
      const consentId = await newConsent(first, w);
      const eventId = await eventIdOf(first, consentId, 'created');
      await new Promise((res) => setTimeout(res, 500));
      expect(r.received).toHaveLength(0);
      await first.close();

      second = await createTestApp({ db });
      await eventually(() => r.of(eventId).length === 1, 10_000, 'the delivery after the restart');
      expect(r.of(eventId)[0].body.data.consentRequestId).toBe(consentId);
      const [done] = await deliveryLogWhen(second, sub.id, w.consumer.org, (d) => d?.status === 'delivered');
      expect(done.attempts).toBe(1);
    } finally {
      await second?.close();
      await db.stop();
    }
  });

  it('sends again, with the same X-Webhook-Id, an attempt whose worker died mid-send once its lease runs out', async () => {
    const db = await createTestDatabase();
    const r = await receiver();
    const first = await createTestApp({ db });
    let second: TestApp | undefined;
    try {
      const w = await consentWorld(first);
      const sub = await subscribe(first, w.consumer.org, r.url, ['created']);
      const worker = first.app.get(WebhookDeliveryWorker);
      await worker.onModuleDestroy();
      const eventId = await eventIdOf(first, await newConsent(first, w), 'created');
      // Fan out and claim by hand, then "die" without sending.
      const { WebhookOutboxService } = await import('../../src/webhooks/webhook-outbox.service.js');
      await first.app.get(WebhookOutboxService).fanOutAll();
      const claimed = await worker.claim(10);
      expect(claimed.map((c) => c.payload.id)).toEqual([eventId]);
      await first.close();

      second = await createTestApp({ db });
      await new Promise((res) => setTimeout(res, 500));
      expect(r.received).toHaveLength(0); // still leased
      const [leased] = await deliveryLog(second, sub.id, w.consumer.org);
      expect(new Date(leased.nextAttemptAt as string).getTime() - Date.now()).toBeGreaterThan(50_000);
      await dueNow(second, sub.id); // the lease runs out
      await eventually(() => r.of(eventId).length === 1, 10_000, 'the re-sent attempt');
      const [done] = await deliveryLogWhen(second, sub.id, w.consumer.org, (d) => d?.status === 'delivered');
      expect(done.attempts).toBe(2);
    } finally {
      await second?.close();
      await db.stop();
    }
  });
});

describe('the outbox without subscribers', () => {
  it('skips the cursor to the end of the feed when no subscription is active; a later subscription gets only later events', async () => {
    const db = await createTestDatabase();
    const app = await createTestApp({ db });
    try {
      const w = await consentWorld(app);
      const worker = app.app.get(WebhookDeliveryWorker);
      await worker.onModuleDestroy(); // fan out by hand
      const { WebhookOutboxService } = await import('../../src/webhooks/webhook-outbox.service.js');
      const outbox = app.app.get(WebhookOutboxService);
      const inactive = await subscribe(app, w.consumer.org, 'http://127.0.0.1:9/never', ['created']);
      await sql(app, 'UPDATE webhook_subscriptions SET active = false WHERE id = $1', [inactive.id]);
      for (let i = 0; i < 3; i++) await newConsent(app, w);
      const numbered = async () =>
        (await sql(app, 'SELECT count(*)::int AS n FROM consent_events WHERE seq <= 0'))[0].n === 0;
      await eventually(numbered, 10_000, 'the events numbered');

      await outbox.fanOutAll();
      const [{ end }] = await sql(app, 'SELECT MAX(seq)::text AS end FROM consent_events');
      const [{ cursor }] = await sql(app, `SELECT last_seq::text AS cursor FROM webhook_cursor`);
      expect(cursor).toBe(end);
      expect((await sql(app, 'SELECT id FROM webhook_deliveries')).length).toBe(0);

      const active = await subscribe(app, w.consumer.org, 'http://127.0.0.1:9/never', ['created']);
      const later = await eventIdOf(app, await newConsent(app, w), 'created');
      await eventually(numbered, 10_000, 'the new event numbered');
      await outbox.fanOutAll();
      const rows = await sql(
        app,
        'SELECT subscription_id::text AS sub, event_id::text AS event FROM webhook_deliveries',
      );
      expect(rows).toEqual([{ sub: active.id, event: later }]);
    } finally {
      await app.close();
      await db.stop();
    }
  });
});

describe('several replicas', () => {
  it('never hand one due delivery to two workers at once', async () => {
    const db = await createTestDatabase();
    const a = await createTestApp({ db });
    const b = await createTestApp({ db });
    try {
      const w = await consentWorld(a);
      await subscribe(a, w.consumer.org, 'http://127.0.0.1:9/never', ['created']);
      const workerA = a.app.get(WebhookDeliveryWorker);
      const workerB = b.app.get(WebhookDeliveryWorker);
      await workerA.onModuleDestroy();
      await workerB.onModuleDestroy();
      for (let i = 0; i < 30; i++) await newConsent(a, w);
      const { WebhookOutboxService } = await import('../../src/webhooks/webhook-outbox.service.js');
      await Promise.all([
        a.app.get(WebhookOutboxService).fanOutAll(),
        b.app.get(WebhookOutboxService).fanOutAll(),
      ]);
      const [{ n }] = await sql(a, 'SELECT count(*)::int AS n FROM webhook_deliveries');
      expect(n).toBe(30); // fan-out by two replicas at once made each delivery once
      const claims = await Promise.all([
        workerA.claim(20),
        workerB.claim(20),
        workerA.claim(20),
        workerB.claim(20),
      ]);
      const ids = claims.flat().map((c) => c.id);
      expect(ids).toHaveLength(30);
      expect(new Set(ids).size).toBe(30);
    } finally {
      await b.close();
      await a.close();
      await db.stop();
    }
  });

  it('deliver every event exactly once when two replicas send concurrently to a healthy receiver', async () => {
    const db = await createTestDatabase();
    const r = await receiver();
    r.behaviour = { status: 200, delayMs: 50 };
    const a = await createTestApp({ db });
    const b = await createTestApp({ db });
    try {
      const w = await consentWorld(a);
      await subscribe(a, w.consumer.org, r.url, ['created']);
      const consents = await Promise.all(Array.from({ length: 25 }, () => newConsent(a, w)));
      await eventually(() => r.received.length >= 25, 20_000, '25 deliveries');
      await new Promise((res) => setTimeout(res, 500));
      const ids = r.received.map((d) => d.headers['x-webhook-id']);
      expect(ids).toHaveLength(25);
      expect(new Set(ids).size).toBe(25);
      expect(new Set(r.received.map((d) => d.body.data.consentRequestId))).toEqual(new Set(consents));
    } finally {
      await b.close();
      await a.close();
      await db.stop();
    }
  }, 60_000);
});

describe('shutdown', () => {
  it('lets an attempt in flight finish before the process stops', async () => {
    const db = await createTestDatabase();
    const r = await receiver();
    r.behaviour = { status: 200, delayMs: 1_000 };
    const app = await createTestApp({ db });
    try {
      const w = await consentWorld(app);
      const sub = await subscribe(app, w.consumer.org, r.url, ['created']);
      await newConsent(app, w);
      await eventually(() => r.received.length === 1);
      await app.close();
      const [d] = await dbQuery(
        db,
        'SELECT status, attempts, last_status_code FROM webhook_deliveries WHERE subscription_id = $1',
        [sub.id],
      );
      expect(d).toEqual({ status: 'delivered', attempts: 1, last_status_code: 200 });
    } finally {
      await db.stop();
    }
  });

  it('releases an attempt that does not finish in time, so another replica sends it at once', async () => {
    const db = await createTestDatabase();
    const r = await receiver();
    r.behaviour = 'hang';
    const app = await createTestApp({ db, env: { SHUTDOWN_GRACE_MS: '1000' } });
    try {
      const w = await consentWorld(app);
      const sub = await subscribe(app, w.consumer.org, r.url, ['created']);
      await newConsent(app, w);
      await eventually(() => r.received.length === 1);
      const started = Date.now();
      await app.close();
      expect(Date.now() - started).toBeLessThan(5_000);
      const [d] = await dbQuery(
        db,
        'SELECT status, attempts, last_status_code, next_attempt_at <= now() AS due FROM webhook_deliveries WHERE subscription_id = $1',
        [sub.id],
      );
      expect(d).toEqual({ status: 'pending', attempts: 0, last_status_code: null, due: true });
    } finally {
      await db.stop();
    }
  });
});
