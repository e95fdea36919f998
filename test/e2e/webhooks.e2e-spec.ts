/**
 * Webhook subscriptions API (DESIGN §4.10, §10): create, list, read, delete, delivery log;
 * scopes, ownership and validation, each refusal proving nothing was stored.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Scopes } from '../../src/common/auth/scopes.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectRefused } from '../helpers/refusals.js';
import { bearer } from '../helpers/tokens.js';
import { http, sql } from '../factories/consent-fixtures.js';
import { orgNumber } from '../factories/orgs.js';
import { subscribe, WEBHOOKS, webhookAuth } from '../factories/webhook-fixtures.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(async () => {
  await t?.close();
});

async function counts(): Promise<{ subs: number; audit: number }> {
  const [r] = await sql(
    t,
    `SELECT (SELECT count(*) FROM webhook_subscriptions)::int AS subs,
            (SELECT count(*) FROM audit_log WHERE object_type = 'webhook')::int AS audit`,
  );
  return r as { subs: number; audit: number };
}

const problem = (status: number, code: string) => ({
  type: `urn:consentgw:error:${code}`,
  status,
  code,
  title: expect.any(String),
  detail: expect.any(String),
  traceId: expect.any(String),
});

describe('creating a subscription', () => {
  it('answers 201 with exactly id, url, eventTypes and the secret, and a Location', async () => {
    const org = orgNumber();
    const res = await http(t, 'POST', WEBHOOKS, await webhookAuth(t, org), {
      url: 'https://bank.example/hooks',
      eventTypes: ['accepted', 'revoked'],
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['eventTypes', 'id', 'secret', 'url']);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      url: 'https://bank.example/hooks',
      eventTypes: ['accepted', 'revoked'],
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
    });
    expect(res.headers.get('location')).toBe(`${t.url}${WEBHOOKS}/${res.body.id}`);
  });

  it('never shows the secret again, and never stores or audits it in the clear', async () => {
    const org = orgNumber();
    const created = await subscribe(t, org, 'https://bank.example/a', ['created']);
    const one = await http(t, 'GET', `${WEBHOOKS}/${created.id}`, await webhookAuth(t, org));
    expect(one.status).toBe(200);
    expect(one.body).toEqual({
      id: created.id,
      url: 'https://bank.example/a',
      eventTypes: ['created'],
      active: true,
      failureCount: 0,
      failingSince: null,
      disabledAt: null,
      disabledReason: null,
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(one.body)).not.toContain(created.secret);
    const list = await http(t, 'GET', WEBHOOKS, await webhookAuth(t, org));
    expect(JSON.stringify(list.body)).not.toContain(created.secret);
    const audit = await sql(
      t,
      `SELECT action, actor_org, owner_org, after::text AS after FROM audit_log WHERE object_id = $1`,
      [created.id],
    );
    expect(audit).toEqual([
      {
        action: 'webhook.create',
        actor_org: org,
        owner_org: org,
        after: expect.not.stringContaining(created.secret),
      },
    ]);
    const [row] = await sql(t, 'SELECT secret FROM webhook_subscriptions WHERE id = $1', [created.id]);
    // Test config has no KEY_ENCRYPTION_SECRET, so it is marked plain (encryption: unit test).
    expect(row.secret).toBe(`plain:${created.secret}`);
  });

  it('accepts an http receiver on loopback outside production', async () => {
    const res = await http(t, 'POST', WEBHOOKS, await webhookAuth(t, orgNumber()), {
      url: 'http://127.0.0.1:9/hooks',
      eventTypes: ['created'],
    });
    expect(res.status).toBe(201);
  });

  it('reports every problem of a bad body in one 400 and stores nothing', async () => {
    const before = await counts();
    const res = await http(t, 'POST', WEBHOOKS, await webhookAuth(t, orgNumber()), {
      url: 'ftp://bank.example/hooks',
      eventTypes: ['Accepted', 'accepted', 'accepted', 'granted', 7],
      secret: 'mine',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject(problem(400, 'STD-00000'));
    expect(res.body.validationErrors).toEqual([
      { code: 'STD.VLD-00002', title: 'Unknown field $.secret', paths: ['$.secret'] },
      { code: 'WH.VLD-00001', title: 'url must use https', paths: ['$.url'] },
      { code: 'WH.VLD-00002', title: expect.stringContaining('"Accepted"'), paths: ['$.eventTypes[0]'] },
      { code: 'STD.VLD-00001', title: 'Event type accepted is listed twice', paths: ['$.eventTypes[2]'] },
      { code: 'WH.VLD-00002', title: expect.stringContaining('"granted"'), paths: ['$.eventTypes[3]'] },
      { code: 'WH.VLD-00002', title: expect.stringContaining('7'), paths: ['$.eventTypes[4]'] },
    ]);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['a missing url and eventTypes', {}, ['STD.VLD-00000', 'STD.VLD-00000']],
    ['an empty eventTypes list', { url: 'https://bank.example/h', eventTypes: [] }, ['STD.VLD-00001']],
    [
      'eventTypes that is not a list',
      { url: 'https://bank.example/h', eventTypes: 'accepted' },
      ['STD.VLD-00001'],
    ],
    ['a relative url', { url: '/hooks', eventTypes: ['accepted'] }, ['WH.VLD-00001']],
    [
      'a url with credentials',
      { url: 'https://u:p@bank.example/h', eventTypes: ['accepted'] },
      ['WH.VLD-00001'],
    ],
    [
      'a url with a fragment',
      { url: 'https://bank.example/h#x', eventTypes: ['accepted'] },
      ['WH.VLD-00001'],
    ],
    [
      'an uppercase event type',
      { url: 'https://bank.example/h', eventTypes: ['ACCEPTED'] },
      ['WH.VLD-00002'],
    ],
  ])('refuses %s with 400 and stores nothing', async (_what, body, codes) => {
    const before = await counts();
    const res = await http(t, 'POST', WEBHOOKS, await webhookAuth(t, orgNumber()), body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.validationErrors.map((v: { code: string }) => v.code)).toEqual(codes);
    expect(await counts()).toEqual(before);
  });

  it('refuses a body that is not a JSON object', async () => {
    const before = await counts();
    const res = await http(
      t,
      'POST',
      WEBHOOKS,
      await webhookAuth(t, orgNumber()),
      '["https://bank.example"]',
    );
    // One problem at `$`, as resources answer (not an object with a key "0" missing its url).
    await expectRefused(res, { status: 400, code: 'STD.VLD-00001', field: '$' });
    expect(res.body.validationErrors).toEqual([
      { code: 'STD.VLD-00001', title: 'The request body must be a JSON object.', paths: ['$'] },
    ]);
    expect(await counts()).toEqual(before);
  });

  it('allows at most 20 subscriptions per organisation (409 WH-00002)', async () => {
    const org = orgNumber();
    const auth = await webhookAuth(t, org);
    for (let i = 0; i < 20; i++)
      expect(
        (await http(t, 'POST', WEBHOOKS, auth, { url: `https://bank.example/${i}`, eventTypes: ['created'] }))
          .status,
      ).toBe(201);
    const before = await counts();
    const res = await http(t, 'POST', WEBHOOKS, auth, {
      url: 'https://bank.example/21',
      eventTypes: ['created'],
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject(problem(409, 'WH-00002'));
    expect(await counts()).toEqual(before);
  });
});

describe('who may use the API', () => {
  it('refuses a request without a token (401) and stores nothing', async () => {
    const before = await counts();
    const res = await http(t, 'POST', WEBHOOKS, undefined, {
      url: 'https://bank.example/h',
      eventTypes: ['created'],
    });
    await expectRefused(res, { status: 401, code: 'AUTH-00401' });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await counts()).toEqual(before);
  });

  it('refuses a token without altinn:consentrequests.read (403) on every route and stores nothing', async () => {
    const org = orgNumber();
    const sub = await subscribe(t, org, 'https://bank.example/h', ['created']);
    const before = await counts();
    const writeOnly = await bearer(t, { org, scope: [Scopes.consentRequestsWrite] });
    for (const [method, path, body] of [
      ['POST', WEBHOOKS, { url: 'https://bank.example/h', eventTypes: ['created'] }],
      ['GET', WEBHOOKS],
      ['GET', `${WEBHOOKS}/${sub.id}`],
      ['DELETE', `${WEBHOOKS}/${sub.id}`],
      ['GET', `${WEBHOOKS}/${sub.id}/deliveries`],
    ] as const) {
      const res = await http(t, method, path, writeOnly, body);
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }
    expect(await counts()).toEqual(before);
  });

  it("shows a consumer only its own subscriptions; another's answers 404 and stays", async () => {
    const mine = orgNumber();
    const theirs = orgNumber();
    const sub = await subscribe(t, theirs, 'https://other.example/h', ['accepted']);
    const auth = await webhookAuth(t, mine);
    const list = await http(t, 'GET', WEBHOOKS, auth);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ links: { next: null }, data: [] });
    const before = await counts();
    for (const [method, path] of [
      ['GET', `${WEBHOOKS}/${sub.id}`],
      ['DELETE', `${WEBHOOKS}/${sub.id}`],
      ['GET', `${WEBHOOKS}/${sub.id}/deliveries`],
    ] as const) {
      const res = await http(t, method, path, auth);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject(problem(404, 'WH-00001'));
    }
    expect(await counts()).toEqual(before);
    expect((await http(t, 'GET', `${WEBHOOKS}/${sub.id}`, await webhookAuth(t, theirs))).status).toBe(200);
  });

  it('answers 404 for an id that is not a UUID', async () => {
    const res = await http(t, 'GET', `${WEBHOOKS}/not-a-uuid`, await webhookAuth(t, orgNumber()));
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('WH-00001');
  });
});

describe('listing, deleting and the delivery log', () => {
  it('lists the subscriptions of the organisation, oldest first', async () => {
    const org = orgNumber();
    const a = await subscribe(t, org, 'https://bank.example/a', ['created']);
    const b = await subscribe(t, org, 'https://bank.example/b', ['accepted', 'rejected']);
    const res = await http(t, 'GET', WEBHOOKS, await webhookAuth(t, org));
    expect(res.status).toBe(200);
    expect(res.body.links).toEqual({ next: null });
    expect(res.body.data.map((s: { id: string }) => s.id)).toEqual([a.id, b.id]);
  });

  it('deletes a subscription (204), audits it, and then it is gone', async () => {
    const org = orgNumber();
    const sub = await subscribe(t, org, 'https://bank.example/del', ['created']);
    const auth = await webhookAuth(t, org);
    const res = await http(t, 'DELETE', `${WEBHOOKS}/${sub.id}`, auth);
    expect(res.status).toBe(204);
    expect((await http(t, 'GET', `${WEBHOOKS}/${sub.id}`, auth)).status).toBe(404);
    expect((await http(t, 'DELETE', `${WEBHOOKS}/${sub.id}`, auth)).status).toBe(404);
    const audit = await sql(t, `SELECT action FROM audit_log WHERE object_id = $1 ORDER BY id`, [sub.id]);
    expect(audit.map((a) => a.action)).toEqual(['webhook.create', 'webhook.delete']);
  });

  it('shows an empty delivery log for a new subscription', async () => {
    const org = orgNumber();
    const sub = await subscribe(t, org, 'https://bank.example/log', ['created']);
    const res = await http(t, 'GET', `${WEBHOOKS}/${sub.id}/deliveries`, await webhookAuth(t, org));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ links: { next: null }, data: [] });
  });

  it.each([
    ['an unknown query parameter', '?page=2', 'STD.VLD-00002', '$.page'],
    ['an unknown status', '?status=sent', 'STD.VLD-00001', '$.status'],
    [
      'a broken continuation token',
      '?continuationToken=bm90LWEtdXVpZA',
      'STD.VLD-00001',
      '$.continuationToken',
    ],
  ])('refuses the delivery log with %s (400)', async (_what, query, code, field) => {
    const org = orgNumber();
    const sub = await subscribe(t, org, 'https://bank.example/q', ['created']);
    const res = await http(t, 'GET', `${WEBHOOKS}/${sub.id}/deliveries${query}`, await webhookAuth(t, org));
    await expectRefused(res, { status: 400, code, field });
  });
});
