/**
 * Webhook deliveries to a real local receiver (DESIGN §4.10, §10): body, headers and signature;
 * which events reach which subscription; retries after a 500 and after an outage; the outbox
 * surviving a process that dies between commit and delivery; two replicas never sending one
 * attempt twice at once; giving up and disabling after 24 h; clean shutdown.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers and rows are checked by the assertions */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';
import { ConsentsService } from '../../src/consents/consents.service.js';
import { LEASE_SECONDS, WebhookDeliveryWorker } from '../../src/webhooks/webhook-delivery.worker.js';
import { verifyWebhookSignature } from '../../src/webhooks/webhook-signature.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import {
  CONSENT_PATH,
  consentBody,
  consentWorld,
  createConsent,
  http,
  sql,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';
import { orgNumber, personNumber } from '../factories/orgs.js';
import { createResource, registerOwner } from '../factories/registry.js';
import { createScope } from '../factories/token-fixtures.js';
import { bearer } from '../helpers/tokens.js';
import { deliveryLog, deliveryLogWhen, newConsent, receiverPool } from '../factories/webhook-deliveries.js';
import { eventually, subscribe, WEBHOOKS, webhookAuth } from '../factories/webhook-fixtures.js';

let t: TestApp;
let world: ConsentWorld;
const receiver = receiverPool();

beforeAll(async () => {
  t = await createTestApp();
  world = await consentWorld(t);
});

afterAll(async () => {
  await t?.close();
});

/** Makes every pending delivery of a subscription due now (stands in for waiting out the backoff). */
async function dueNow(subId: string, app: TestApp = t): Promise<void> {
  await sql(
    app,
    `UPDATE webhook_deliveries SET next_attempt_at = now() WHERE subscription_id = $1 AND status = 'pending'`,
    [subId],
  );
}

async function dbQuery(db: DatabaseConnection, text: string, values: unknown[] = []): Promise<any[]> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows;
  } finally {
    await c.end();
  }
}

async function eventIdOf(consentId: string, type: string, app: TestApp = t): Promise<string> {
  const [row] = await sql(
    app,
    'SELECT id::text FROM consent_events WHERE consent_request_id = $1 AND event_type = $2',
    [consentId, type],
  );
  return row.id as string;
}

describe('a successful delivery', () => {
  it('POSTs {id, type, time, data} with X-Webhook-Id, X-Webhook-Timestamp and a valid X-Signature', async () => {
    const r = await receiver();
    const sub = await subscribe(t, world.consumer.org, r.url, ['created']);
    const consentId = await newConsent(t, world);
    const eventId = await eventIdOf(consentId, 'created');
    const [got] = await eventually(() => r.of(eventId).length && r.of(eventId), 10_000, 'the delivery');

    expect(got.method).toBe('POST');
    expect(got.path).toBe('/hooks');
    expect(got.headers['content-type']).toBe('application/json');
    const [event] = await sql(t, 'SELECT created_at FROM consent_events WHERE id = $1', [eventId]);
    expect(got.body).toEqual({
      id: eventId,
      type: 'consent.created',
      time: expect.any(String),
      data: {
        consentRequestId: consentId,
        eventType: 'created',
        changedDate: (event.created_at as Date).toISOString(),
      },
    });
    expect(Object.keys(got.body)).toEqual(['id', 'type', 'time', 'data']);
    expect(got.headers['x-webhook-id']).toBe(eventId);
    expect(got.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const ts = Number(got.headers['x-webhook-timestamp']);
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(30);
    expect(got.body.time).toBe(new Date(ts * 1000).toISOString());
    // The receiver's check, written out: hex HMAC-SHA256 of the raw body, key = the secret's UTF-8 bytes.
    const expected = `sha256=${createHmac('sha256', Buffer.from(sub.secret, 'utf8')).update(got.rawBody).digest('hex')}`;
    expect(got.headers['x-signature']).toBe(expected);
    expect(verifyWebhookSignature(got.rawBody, sub.secret, got.headers['x-signature'] as string)).toBe(true);

    const log = await deliveryLogWhen(t, sub.id, world.consumer.org, (d) => d?.status === 'delivered');
    expect(log).toEqual([
      {
        id: expect.any(String),
        eventId,
        type: 'consent.created',
        data: got.body.data,
        status: 'delivered',
        attempts: 1,
        nextAttemptAt: null,
        lastStatusCode: 204,
        lastError: null,
        deliveredAt: expect.any(String),
        createdAt: expect.any(String),
      },
    ]);
  });

  it('fails verification with another secret or a changed body', async () => {
    const r = await receiver();
    const sub = await subscribe(t, world.consumer.org, r.url, ['created']);
    const other = await subscribe(t, world.consumer.org, 'https://bank.example/other', ['created']);
    const eventId = await eventIdOf(await newConsent(t, world), 'created');
    const [got] = await eventually(() => r.of(eventId).length && r.of(eventId));
    const signature = got.headers['x-signature'] as string;
    expect(verifyWebhookSignature(got.rawBody, sub.secret, signature)).toBe(true);
    expect(verifyWebhookSignature(got.rawBody, other.secret, signature)).toBe(false);
    expect(
      verifyWebhookSignature(
        got.rawBody.replace('consent.created', 'consent.accepted'),
        sub.secret,
        signature,
      ),
    ).toBe(false);
  });

  it('delivers only the subscribed event types of the subscriber’s own consents, and only events after it subscribed', async () => {
    const before = await newConsent(t, world); // committed before the subscription exists
    const r = await receiver();
    await subscribe(t, world.consumer.org, r.url, ['deleted', 'accepted']);
    const otherWorld = await consentWorld(t);
    const otherConsent = await newConsent(t, otherWorld);
    const mine = await newConsent(t, world);
    expect((await http(t, 'POST', `${CONSENT_PATH}/${mine}/cancel`, world.consumer.auth)).status).toBe(200);
    expect(
      (await http(t, 'POST', `${CONSENT_PATH}/${otherConsent}/cancel`, otherWorld.consumer.auth)).status,
    ).toBe(200);
    expect((await http(t, 'POST', `${CONSENT_PATH}/${before}/cancel`, world.consumer.auth)).status).toBe(200);
    await eventually(() => r.received.length >= 2, 10_000, 'two deliveries');
    await new Promise((res) => setTimeout(res, 500)); // nothing else arrives
    expect(r.received.map((d) => [d.body.type, d.body.data.consentRequestId]).sort()).toEqual(
      [
        ['consent.deleted', mine],
        ['consent.deleted', before],
      ].sort(),
    );
  });

  it('delivers an accepted consent with the event the consumer’s feed shows', async () => {
    const r = await receiver();
    await subscribe(t, world.consumer.org, r.url, ['accepted']);
    const pid = personNumber();
    const dto = await createConsent(
      t,
      world.consumer.auth,
      consentBody({
        to: world.consumer.org,
        resource: world.resource,
        from: `urn:altinn:person:identifier-no:${pid}`,
      }),
    );
    await t.app
      .get(ConsentsService)
      .accept(dto.id as string, { personId: pid }, { language: 'nb', html: '<p>ok</p>', text: {} });
    const [got] = await eventually(() => r.received.length && r.received);
    const feed = await http(
      t,
      'GET',
      `${CONSENT_PATH}/events?consentRequestId=${dto.id}&eventType=accepted`,
      world.consumer.auth,
    );
    expect(feed.body.data).toEqual([got.body.data]);
  });
});

describe('retries', () => {
  it('retries after about 5 s when the receiver answers 500, with the same event id, then succeeds', async () => {
    const r = await receiver();
    r.script.push({ status: 500 });
    const sub = await subscribe(t, world.consumer.org, r.url, ['created']);
    const eventId = await eventIdOf(await newConsent(t, world), 'created');
    await eventually(() => r.of(eventId).length === 1);
    const [failed] = await deliveryLogWhen(t, sub.id, world.consumer.org, (d) => d?.lastStatusCode === 500);
    expect(failed).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatusCode: 500,
      lastError: 'receiver answered 500: receiver says no',
    });
    const wait = new Date(failed.nextAttemptAt as string).getTime() - Date.now();
    expect(wait).toBeGreaterThan(3_000);
    expect(wait).toBeLessThan(6_100);
    const subNow = await http(t, 'GET', `${WEBHOOKS}/${sub.id}`, await webhookAuth(t, world.consumer.org));
    expect(subNow.body).toMatchObject({ active: true, failureCount: 1, failingSince: expect.any(String) });

    await eventually(() => r.of(eventId).length === 2, 10_000, 'the retry');
    const [first, second] = r.of(eventId);
    expect(second.at - first.at).toBeGreaterThan(3_000);
    expect(second.body.id).toBe(first.body.id);
    // Each attempt is a trace of its own, so the receiver's logs and ours tell them apart.
    expect(String(second.headers.traceparent).slice(3, 35)).not.toBe(
      String(first.headers.traceparent).slice(3, 35),
    );
    expect(verifyWebhookSignature(second.rawBody, sub.secret, second.headers['x-signature'] as string)).toBe(
      true,
    );
    const [done] = await deliveryLogWhen(t, sub.id, world.consumer.org, (d) => d?.status === 'delivered');
    expect(done).toMatchObject({ attempts: 2, lastStatusCode: 204, lastError: null });
    const healed = await http(t, 'GET', `${WEBHOOKS}/${sub.id}`, await webhookAuth(t, world.consumer.org));
    expect(healed.body).toMatchObject({ failureCount: 0, failingSince: null });
  }, 30_000);

  it('keeps retrying while the receiver is down, and delivers once when it is back', async () => {
    const r = await receiver();
    const port = r.port;
    await r.stop();
    const sub = await subscribe(t, world.consumer.org, r.url, ['created']);
    const eventId = await eventIdOf(await newConsent(t, world), 'created');
    // Make each retry due at once until 3 attempts have failed and the last one has recorded its
    // backoff (≥ 120 s, longer than a lease): a claimed attempt already counts in `attempts`, and
    // one still in flight would record its backoff after a dueNow, so the retry or the delivery
    // below would come too late.
    const down = await eventually(
      async () => {
        const [d] = await deliveryLog(t, sub.id, world.consumer.org);
        const settled = Date.parse(d?.nextAttemptAt) > Date.now() + LEASE_SECONDS * 1000;
        if (d?.attempts >= 3 && d.lastError && settled) return d;
        await dueNow(sub.id);
        return null;
      },
      10_000,
      'three failed attempts while the receiver is down',
    );
    expect(down).toMatchObject({ status: 'pending', lastStatusCode: null, lastError: 'connection refused' });

    await r.start(port);
    await dueNow(sub.id);
    await eventually(() => r.of(eventId).length === 1, 10_000, 'the delivery after the outage');
    const [done] = await deliveryLogWhen(t, sub.id, world.consumer.org, (d) => d?.status === 'delivered');
    expect(done.attempts).toBeGreaterThanOrEqual(4);
    await new Promise((res) => setTimeout(res, 300));
    expect(r.of(eventId)).toHaveLength(1);
  }, 30_000);

  it('does not follow a redirect: a 3xx is a failed attempt', async () => {
    const r = await receiver();
    r.behaviour = { status: 302 };
    const sub = await subscribe(t, world.consumer.org, r.url, ['created']);
    await newConsent(t, world);
    const [failed] = await deliveryLogWhen(t, sub.id, world.consumer.org, (d) => d?.lastStatusCode === 302);
    expect(failed.status).toBe('pending');
    expect(failed.lastError).toContain('redirects are not followed');
  });

  it('gives a delivery up after 24 h of retries (status failed)', async () => {
    const r = await receiver();
    r.behaviour = { status: 503 };
    const sub = await subscribe(t, world.consumer.org, r.url, ['created']);
    await newConsent(t, world);
    await deliveryLogWhen(t, sub.id, world.consumer.org, (d) => d?.attempts === 1 && d.lastStatusCode);
    await sql(
      t,
      `UPDATE webhook_deliveries SET created_at = now() - interval '24 hours' WHERE subscription_id = $1`,
      [sub.id],
    );
    await dueNow(sub.id);
    const [gaveUp] = await deliveryLogWhen(t, sub.id, world.consumer.org, (d) => d?.status === 'failed');
    expect(gaveUp).toMatchObject({ attempts: 2, nextAttemptAt: null, lastStatusCode: 503 });
  });

  it('disables a subscription after 24 h of failures, audits it and cancels what was pending', async () => {
    const r = await receiver();
    r.behaviour = { status: 500 };
    const sub = await subscribe(t, world.consumer.org, r.url, ['created', 'deleted']);
    const consentId = await newConsent(t, world);
    await deliveryLogWhen(t, sub.id, world.consumer.org, (d) => d?.attempts === 1 && d.lastStatusCode);
    expect((await http(t, 'POST', `${CONSENT_PATH}/${consentId}/cancel`, world.consumer.auth)).status).toBe(
      200,
    );
    await eventually(async () => (await deliveryLog(t, sub.id, world.consumer.org)).length === 2);
    // The subscription has been failing for a day; the next failure disables it.
    await sql(
      t,
      `UPDATE webhook_subscriptions SET failing_since = now() - interval '25 hours' WHERE id = $1`,
      [sub.id],
    );
    await dueNow(sub.id);
    const disabled = await eventually(async () => {
      const res = await http(t, 'GET', `${WEBHOOKS}/${sub.id}`, await webhookAuth(t, world.consumer.org));
      return res.body.active === false && res.body;
    });
    expect(disabled).toMatchObject({
      active: false,
      disabledAt: expect.any(String),
      disabledReason: expect.stringContaining('Every delivery failed for 24 hours'),
    });
    const audit = await sql(
      t,
      `SELECT action, owner_org, after FROM audit_log WHERE object_id = $1 ORDER BY id`,
      [sub.id],
    );
    expect(audit.map((a) => a.action)).toEqual(['webhook.create', 'webhook.disabled']);
    expect(audit[1]).toMatchObject({ owner_org: world.consumer.org, after: { active: false } });
    const log = await deliveryLog(t, sub.id, world.consumer.org);
    expect(log.map((d) => d.status)).toEqual(['cancelled', 'cancelled']);

    // Disabled: new events are not queued for it any more.
    const received = r.received.length;
    await newConsent(t, world);
    await new Promise((res) => setTimeout(res, 500));
    expect(await deliveryLog(t, sub.id, world.consumer.org)).toHaveLength(2);
    expect(r.received.length).toBe(received);
  });
});

describe('access-request events', () => {
  it('notify the consumer and the owner, in the transaction of the change', async () => {
    const owner = await registerOwner(t);
    const scope = await createScope(t, { ownerOrg: owner.orgNumber });
    const res = await createResource(t, owner, {
      resourceReferences: [
        { referenceSource: 'Default', reference: scope.name, referenceType: 'MaskinportenScope' },
      ],
    });
    const consumerOrg = orgNumber();
    const forConsumer = await receiver();
    const forOwner = await receiver();
    const types = ['access-request.created', 'access-request.approved'];
    const consumerSub = await subscribe(t, consumerOrg, forConsumer.url, types);
    const ownerSub = await subscribe(t, owner.orgNumber, forOwner.url, types);

    const consumerAuth = await bearer(t, { org: consumerOrg, scope: [] });
    const created = await http(t, 'POST', '/api/v1/access-requests', consumerAuth, {
      resource: res.identifier,
      scopes: [scope.name],
      message: 'Vi er en bank.',
    });
    expect(created.status).toBe(201);
    const [c1] = await eventually(() => forConsumer.received.length && forConsumer.received);
    const [o1] = await eventually(() => forOwner.received.length && forOwner.received);
    expect(c1.body).toEqual({
      id: expect.any(String),
      type: 'access-request.created',
      time: expect.any(String),
      data: expect.objectContaining({ id: created.body.id, status: 'pending' }),
    });
    expect(o1.body.id).toBe(c1.body.id);
    expect(verifyWebhookSignature(c1.rawBody, consumerSub.secret, c1.headers['x-signature'] as string)).toBe(
      true,
    );
    expect(verifyWebhookSignature(o1.rawBody, ownerSub.secret, o1.headers['x-signature'] as string)).toBe(
      true,
    );

    const ownerAuth = await bearer(t, {
      org: owner.orgNumber,
      scope: [
        'idporten:scopes.write',
        'altinn:resourceregistry/accesslist.write',
        'altinn:resourceregistry/resource.write',
      ],
    });
    const approved = await http(
      t,
      'POST',
      `/api/v1/access-requests/${created.body.id}/approve`,
      ownerAuth,
      {},
    );
    expect(approved.status).toBe(200);
    await eventually(
      () => forConsumer.received.length === 2 && forOwner.received.length === 2,
      10_000,
      'the approval',
    );
    expect(forConsumer.received[1].body).toMatchObject({
      type: 'access-request.approved',
      data: { id: created.body.id, status: 'approved' },
    });
    expect(forOwner.received[1].body.id).toBe(forConsumer.received[1].body.id);
  });
});

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
      const eventId = await eventIdOf(consentId, 'created', first);
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
      const eventId = await eventIdOf(await newConsent(first, w), 'created', first);
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
      await dueNow(sub.id, second); // the lease runs out
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
      const later = await eventIdOf(await newConsent(app, w), 'created', app);
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
