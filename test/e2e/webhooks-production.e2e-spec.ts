/**
 * SSRF protection of webhooks in production (NODE_ENV=production): https only, and never a
 * loopback, private or reserved target — refused when subscribing and again when connecting.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, productionEnv, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';
import { consentWorld, http, sql, type ConsentWorld } from '../factories/consent-fixtures.js';
import { orgNumber } from '../factories/orgs.js';
import { deliveryLogWhen, newConsent, receiverPool } from '../factories/webhook-deliveries.js';
import { subscribe, WEBHOOKS, webhookAuth } from '../factories/webhook-fixtures.js';

let db: DatabaseConnection;
let t: TestApp;
let world: ConsentWorld;
const receiver = receiverPool();

beforeAll(async () => {
  db = await createTestDatabase();
  t = await createTestApp({
    db,
    env: productionEnv(db),
  });
  world = await consentWorld(t);
});

afterAll(async () => {
  await t?.close();
  await db?.stop();
});

const NOT_PUBLIC = 'url must not point at a loopback, private, link-local or reserved address';

describe('subscribing in production', () => {
  it.each([
    ['http://bank.example/hooks', 'url must use https'],
    ['http://127.0.0.1:8080/hooks', 'url must use https'],
    ['https://127.0.0.1/hooks', NOT_PUBLIC],
    ['https://localhost/hooks', NOT_PUBLIC],
    ['https://[::1]/hooks', NOT_PUBLIC],
    ['https://10.0.0.5/hooks', NOT_PUBLIC],
    ['https://192.168.1.10/hooks', NOT_PUBLIC],
    ['https://169.254.169.254/latest/meta-data', NOT_PUBLIC],
  ])('refuses %s (400 WH.VLD-00001) and stores nothing', async (url, title) => {
    const [before] = await sql(t, 'SELECT count(*)::int AS n FROM webhook_subscriptions');
    const res = await http(t, 'POST', WEBHOOKS, await webhookAuth(t, orgNumber()), {
      url,
      eventTypes: ['accepted'],
    });
    expect(res.status).toBe(400);
    expect(res.body.validationErrors).toEqual([{ code: 'WH.VLD-00001', title, paths: ['$.url'] }]);
    const [after] = await sql(t, 'SELECT count(*)::int AS n FROM webhook_subscriptions');
    expect(after.n).toBe(before.n);
  });

  it('accepts a public https receiver and stores its secret encrypted', async () => {
    const sub = await subscribe(t, orgNumber(), 'https://bank.example/hooks', ['accepted']);
    const [row] = await sql(t, 'SELECT secret FROM webhook_subscriptions WHERE id = $1', [sub.id]);
    expect(row.secret).toMatch(/^v1:/);
    expect(row.secret).not.toContain(sub.secret.slice(6));
  });
});

describe('delivering in production', () => {
  it.each([
    [
      'a loopback IP',
      (port: number) => `http://127.0.0.1:${port}/hooks`,
      /^refused: 127\.0\.0\.1 resolves to 127\.0\.0\.1/,
    ],
    [
      'a name that resolves to loopback',
      (port: number) => `http://localhost:${port}/hooks`,
      /^refused: localhost resolves to /,
    ],
  ])('refuses to connect to %s even if the stored URL points there', async (_what, target, error) => {
    const r = await receiver();
    const sub = await subscribe(t, world.consumer.org, 'https://bank.example/hooks', ['created']);
    // As if DNS or the row changed after the check at subscription time.
    await sql(t, 'UPDATE webhook_subscriptions SET url = $2 WHERE id = $1', [sub.id, target(r.port)]);
    await newConsent(t, world);
    const [d] = await deliveryLogWhen(t, sub.id, world.consumer.org, (newest) => newest?.lastError);
    expect(d).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatusCode: null,
      lastError: expect.stringMatching(error),
    });
    expect(r.received).toHaveLength(0);
    await http(t, 'DELETE', `${WEBHOOKS}/${sub.id}`, await webhookAuth(t, world.consumer.org));
  });
});
