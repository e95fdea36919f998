/**
 * What the webhook delivery specs share: receivers that are stopped after each test, a consent
 * request that raises one `created` event, and a subscription's delivery log.
 */
import { afterEach, expect } from '@jest/globals';
import type { TestApp } from '../helpers/app.js';
import { consentBody, createConsent, http, type ConsentWorld } from './consent-fixtures.js';
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
