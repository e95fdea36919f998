/**
 * Webhook deliveries to a real local receiver (DESIGN §4.10, §10): body, headers and signature;
 * which events reach which subscription; retries after a 500 and after an outage; giving up and
 * disabling after 24 h; access-request events. What needs processes of its own (the outbox across
 * a restart, replicas, shutdown) is in webhooks-delivery-processes.e2e-spec.ts.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsentsService } from '../../src/consents/consents.service.js';
import { LEASE_SECONDS } from '../../src/webhooks/webhook-delivery.worker.js';
import { verifyWebhookSignature } from '../../src/webhooks/webhook-signature.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
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
import {
  deliveryLog,
  deliveryLogWhen,
  dueNow,
  eventIdOf,
  newConsent,
  receiverPool,
} from '../factories/webhook-deliveries.js';
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

describe('a successful delivery', () => {
  it('POSTs {id, type, time, data} with X-Webhook-Id, X-Webhook-Timestamp and a valid X-Signature', async () => {
    const r = await receiver();
    const sub = await subscribe(t, world.consumer.org, r.url, ['created']);
    const consentId = await newConsent(t, world);
    const eventId = await eventIdOf(t, consentId, 'created');
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
    const eventId = await eventIdOf(t, await newConsent(t, world), 'created');
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
    const eventId = await eventIdOf(t, await newConsent(t, world), 'created');
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
    const eventId = await eventIdOf(t, await newConsent(t, world), 'created');
    // Make each retry due at once until 3 attempts have failed and the last one has recorded its
    // backoff (≥ 120 s, longer than a lease): a claimed attempt already counts in `attempts`, and
    // one still in flight would record its backoff after a dueNow, so the retry or the delivery
    // below would come too late.
    const down = await eventually(
      async () => {
        const [d] = await deliveryLog(t, sub.id, world.consumer.org);
        const settled = Date.parse(d?.nextAttemptAt) > Date.now() + LEASE_SECONDS * 1000;
        if (d?.attempts >= 3 && d.lastError && settled) return d;
        await dueNow(t, sub.id);
        return null;
      },
      10_000,
      'three failed attempts while the receiver is down',
    );
    expect(down).toMatchObject({ status: 'pending', lastStatusCode: null, lastError: 'connection refused' });

    await r.start(port);
    await dueNow(t, sub.id);
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
    await dueNow(t, sub.id);
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
    await dueNow(t, sub.id);
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
