/**
 * What the webhook delivery specs share: receivers that are stopped after each test, a consent
 * request that raises one `created` event, its event id, a subscription's delivery log, and
 * pending deliveries made due.
 */
import { afterEach, expect } from '@jest/globals';
import pg from 'pg';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';
import type { TestApp } from '../helpers/app.js';
import { consentBody, createConsent, http, sql, type ConsentWorld } from './consent-fixtures.js';
import { eventually, startReceiver, WEBHOOKS, webhookAuth, type Receiver } from './webhook-fixtures.js';

/** Starts receivers on demand; each one is stopped after the test that started it. */
export function receiverPool(): () => Promise<Receiver> {
  const started: Receiver[] = [];
  afterEach(async () => {
    for (const r of started.splice(0)) await r.stop();
  });
  return async () => {
    const r = await startReceiver();
    started.push(r);
    return r;
  };
}

/** A new consent request of the world's consumer: one `created` event. */
export async function newConsent(t: TestApp, world: ConsentWorld): Promise<string> {
  const dto = await createConsent(
    t,
    world.consumer.auth,
    consentBody({ to: world.consumer.org, resource: world.resource }),
  );
  return dto.id as string;
}

/** A subscription's delivery log as its organisation reads it (newest first). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers are checked by the assertions
export async function deliveryLog(t: TestApp, subId: string, org: string): Promise<any[]> {
  const res = await http(t, 'GET', `${WEBHOOKS}/${subId}/deliveries`, await webhookAuth(t, org));
  expect(res.status).toBe(200);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  return res.body.data as any[];
}

/** Polls a subscription's delivery log until `until(newest delivery)` holds; then the log. */
export async function deliveryLogWhen(
  t: TestApp,
  subId: string,
  org: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers are checked by the assertions
  until: (newest: any) => unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
): Promise<any[]> {
  return eventually(async () => {
    const log = await deliveryLog(t, subId, org);
    return until(log[0]) ? log : null;
  });
}

/** The id of the consent's event of `type` (what a delivery's body and X-Webhook-Id carry). */
export async function eventIdOf(app: TestApp, consentId: string, type: string): Promise<string> {
  const [row] = await sql(
    app,
    'SELECT id::text FROM consent_events WHERE consent_request_id = $1 AND event_type = $2',
    [consentId, type],
  );
  return row.id as string;
}

/** Makes every pending delivery of a subscription due now (stands in for waiting out the backoff). */
export async function dueNow(app: TestApp, subId: string): Promise<void> {
  await sql(
    app,
    `UPDATE webhook_deliveries SET next_attempt_at = now() WHERE subscription_id = $1 AND status = 'pending'`,
    [subId],
  );
}

/** A query on a database whose app has stopped (its own short-lived connection). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows are checked by the assertions
export async function dbQuery(db: DatabaseConnection, text: string, values: unknown[] = []): Promise<any[]> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows;
  } finally {
    await c.end();
  }
}
