/**
 * Red-team findings on webhooks (docs/security.md, "Red-team findings"): SSRF through IPv6
 * spellings of internal IPv4 addresses, refused by a production service (real HTTP).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';
import { http, sql } from '../factories/consent-fixtures.js';
import { orgNumber } from '../factories/orgs.js';
import { WEBHOOKS, webhookAuth } from '../factories/webhook-fixtures.js';

let db: DatabaseConnection;
let t: TestApp;

beforeAll(async () => {
  db = await createTestDatabase();
  t = await createTestApp({
    db,
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      KEY_ENCRYPTION_SECRET: 'production-test-key-encryption-secret',
    },
  });
});

afterAll(async () => {
  await t?.close();
  await db?.stop();
});

const NOT_PUBLIC = 'url must not point at a loopback, private, link-local or reserved address';

describe('RT-5: IPv4 embedded in IPv6', () => {
  it.each([
    ['6to4 of 127.0.0.1', 'https://[2002:7f00:1::]/hooks'],
    ['6to4 of the metadata service', 'https://[2002:a9fe:a9fe::]/latest/meta-data'],
    ['IPv4-compatible 127.0.0.1', 'https://[::127.0.0.1]/hooks'],
    ['IPv4-translated 127.0.0.1 (SIIT)', 'https://[::ffff:0:7f00:1]/hooks'],
    ['IPv4-translated 10.0.0.1', 'https://[::ffff:0:a00:1]/hooks'],
  ])('refuses %s (400 WH.VLD-00001) and stores nothing', async (_what, url) => {
    const [before] = await sql(t, 'SELECT count(*)::int AS n FROM webhook_subscriptions');
    const res = await http(t, 'POST', WEBHOOKS, await webhookAuth(t, orgNumber()), {
      url,
      eventTypes: ['accepted'],
    });
    expect(res.status).toBe(400);
    expect(res.body.validationErrors).toEqual([
      { code: 'WH.VLD-00001', title: NOT_PUBLIC, paths: ['$.url'] },
    ]);
    const [after] = await sql(t, 'SELECT count(*)::int AS n FROM webhook_subscriptions');
    expect(after.n).toBe(before.n);
  });

  it('accepts the 6to4 address of a public host', async () => {
    const res = await http(t, 'POST', WEBHOOKS, await webhookAuth(t, orgNumber()), {
      url: 'https://[2002:808:808::1]/hooks',
      eventTypes: ['accepted'],
    });
    expect(res.status).toBe(201);
  });
});
