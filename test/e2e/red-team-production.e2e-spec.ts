/**
 * Red-team findings against a production service (docs/security.md, "Red-team findings"): SSRF
 * through webhook targets and protected APIs' upstreams that are IPv6 spellings of internal IPv4
 * addresses or cloud metadata services (real HTTP).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, productionEnv, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';
import { http, sql } from '../factories/consent-fixtures.js';
import { orgNumber } from '../factories/orgs.js';
import { WEBHOOKS, webhookAuth } from '../factories/webhook-fixtures.js';
import { gatewayWorld, type GatewayWorld } from '../factories/gateway-fixtures.js';

let db: DatabaseConnection;
let t: TestApp;
let world: GatewayWorld;

beforeAll(async () => {
  db = await createTestDatabase();
  t = await createTestApp({
    db,
    env: productionEnv(db),
  });
  world = await gatewayWorld(t);
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

describe('RT-8: protected API upstreams that reach the platform itself', () => {
  it.each([
    ['NAT64 of the metadata service', 'http://[64:ff9b::a9fe:a9fe]/latest'],
    ['6to4 of loopback', 'http://[2002:7f00:1::]:8080/'],
    ['IPv4-translated metadata service', 'http://[::ffff:0:a9fe:a9fe]/'],
    ["AWS's IPv6 metadata service", 'http://[fd00:ec2::254]/latest/meta-data/'],
    ["Alibaba Cloud's metadata service", 'http://100.100.100.200/latest/meta-data/'],
    ['localhost with a trailing dot', 'http://localhost.:8080/'],
  ])('refuses %s (400) and stores nothing', async (_what, upstreamUrl) => {
    const name = `rt8-${Math.random().toString(36).slice(2, 10)}`;
    const res = await http(t, 'POST', '/admin/v1/apis', world.owner.auth, {
      name,
      upstreamUrl,
      requiredScopes: [world.scope],
      consentResources: [world.resource],
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.validationErrors)).toContain(
      'upstreamUrl must not point at a loopback, link-local or metadata address',
    );
    expect(await sql(t, 'SELECT name FROM protected_apis WHERE name = $1', [name])).toEqual([]);
  });
});
