/**
 * Red-team findings on request bodies (docs/security.md, "Red-team findings"): bodies that cost
 * the server far more than their size, and bodies that mean different things to different JSON
 * parsers, through real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/tokens.js';
import { expectProblem } from '../factories/problems.js';
import { ADMIN_ORG, registerOwner, resourceBody, type TestOwner } from '../factories/registry.js';
import {
  CONSENT_PATH,
  consentBody,
  consentCounts,
  consentWorld,
  orgUrnOf,
  sql,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';
import { orgNumber, uniqueCode } from '../factories/orgs.js';
import { Scopes } from '../../src/common/auth/scopes.js';

let t: TestApp;
let owner: TestOwner;

beforeAll(async () => {
  t = await createTestApp();
  owner = await registerOwner(t);
});

afterAll(async () => {
  await t?.close();
});

async function send(path: string, method: string, contentType: string, body: string, auth?: string) {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { 'content-type': contentType, ...(auth ? { authorization: auth } : {}) },
    body,
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as Record<string, unknown> };
}

describe('RT-10: a deeply nested JSON body', () => {
  it('is 400 naming the body, not a 500 from a stack overflow, and nothing is stored', async () => {
    const auth = await bearer(t, {
      org: owner.orgNumber,
      scope: ['altinn:resourceregistry/accesslist.write', 'altinn:resourceregistry/accesslist.read'],
    });
    const path = `/resourceregistry/api/v1/access-lists/${owner.orgcode}/deep`;
    const deep = `{"name":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const res = await send(path, 'PUT', 'application/json', deep, auth);
    expectProblem(res, 400, 'STD.VLD-00001', 'The JSON body nests deeper than 32 levels.', [
      { code: 'STD.VLD-00001', title: 'The JSON body nests deeper than 32 levels.', paths: ['$'] },
    ]);
    const get = await fetch(`${t.url}${path}`, { headers: { authorization: auth } });
    expect(get.status).toBe(404);
  });
});

describe('RT-11: a form with very many fields', () => {
  const many = `pid=02013299997&${'x=1&'.repeat(100_000)}`;

  it('is refused with 413 problem+json on the portal login', async () => {
    const res = await send('/login', 'POST', 'application/x-www-form-urlencoded', many);
    expectProblem(res, 413, 'STD-00413', 'The form has more than 1000 fields.');
  });

  it('is refused with an OAuth error on /token', async () => {
    const res = await send('/token', 'POST', 'application/x-www-form-urlencoded', 'x=1&'.repeat(16_000));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'The form has more than 1000 fields.',
    });
  });

  it('still serves other requests afterwards', async () => {
    expect((await fetch(`${t.url}/health/live`)).status).toBe(200);
  });
});

describe("RT-12: members named like Object.prototype's own (`constructor`, `toString`…)", () => {
  it('a resource whose consentMetadata has a key `constructor` is 400 naming it, not a 500, and nothing is stored', async () => {
    const body = resourceBody(owner, { consentMetadata: { constructor: { optional: true } } });
    const res = await send(
      '/resourceregistry/api/v1/resource',
      'POST',
      'application/json',
      JSON.stringify(body),
      owner.auth,
    );
    expect(res.status).toBe(400);
    expect(res.body.validationErrors).toEqual([
      {
        code: 'STD.VLD-00002',
        title: 'Unknown field $.consentMetadata.constructor',
        paths: ['$.consentMetadata.constructor'],
      },
    ]);
    const get = await fetch(`${t.url}/resourceregistry/api/v1/resource/${body.identifier as string}`);
    expect(get.status).toBe(404);
  });

  it('an access list with a top-level `constructor` or `toString` member is 400 (unknown field), and nothing is stored', async () => {
    const auth = await bearer(t, {
      org: owner.orgNumber,
      scope: ['altinn:resourceregistry/accesslist.write', 'altinn:resourceregistry/accesslist.read'],
    });
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__defineSetter__']) {
      const path = `/resourceregistry/api/v1/access-lists/${owner.orgcode}/proto-${name.replace(/_/g, '').toLowerCase()}`;
      const res = await send(
        path,
        'PUT',
        'application/json',
        JSON.stringify({ name: 'a', [name]: 'zzz' }),
        auth,
      );
      expect(res.status).toBe(400);
      expect(res.body.validationErrors).toEqual([
        { code: 'STD.VLD-00002', title: `Unknown field $.${name}`, paths: [`$.${name}`] },
      ]);
      expect((await fetch(`${t.url}${path}`, { headers: { authorization: auth } })).status).toBe(404);
    }
  });
});

describe('RT3-6: a JSON body that repeats a member name (parser differential)', () => {
  // JSON.parse keeps the last member; a WAF or audit proxy in front may keep the first.
  const refused = (path: string) => [
    {
      code: 'STD.VLD-00001',
      title: `The member ${path} appears more than once in its object.`,
      paths: [path],
    },
  ];
  const DETAIL = 'A JSON object in the body repeats a member name.';
  const auditRows = async () => Number((await sql(t, 'SELECT count(*)::int AS n FROM audit_log'))[0].n);
  /** `{...body, name: second}` spelled with `name` twice: the body's own value first. */
  const twice = (body: Record<string, unknown>, name: string, second: unknown) =>
    `${JSON.stringify(body).slice(0, -1)},${JSON.stringify(name)}:${JSON.stringify(second)}}`;

  let w: ConsentWorld;
  let listAuth: string;
  beforeAll(async () => {
    w = await consentWorld(t);
    listAuth = await bearer(t, {
      org: w.owner.orgNumber,
      scope: [Scopes.accessListWrite, Scopes.accessListRead],
    });
  });

  it('on the resource registry: `accessListMode` twice is 400 naming it, and no resource is stored', async () => {
    const body = resourceBody(w.owner, { accessListMode: 'Disabled' });
    const before = await auditRows();
    const res = await send(
      '/resourceregistry/api/v1/resource',
      'POST',
      'application/json',
      twice(body, 'accessListMode', 'Enabled'),
      w.owner.auth,
    );
    expectProblem(res, 400, 'STD.VLD-00001', DETAIL, refused('$.accessListMode'));
    expect(
      (await fetch(`${t.url}/resourceregistry/api/v1/resource/${body.identifier as string}`)).status,
    ).toBe(404);
    expect(await auditRows()).toBe(before);
    // The same body without the repeat is a valid resource: the repeat alone was refused.
    const ok = await send(
      '/resourceregistry/api/v1/resource',
      'POST',
      'application/json',
      JSON.stringify(body),
      w.owner.auth,
    );
    expect(ok.status).toBe(201);
  });

  it('on an access list: `actionFilters` twice on a resource connection, and a name spelled once plainly and once escaped', async () => {
    const list = `/resourceregistry/api/v1/access-lists/${w.owner.orgcode}/dup-list`;
    const created = await send(list, 'PUT', 'application/json', JSON.stringify({ name: 'Liste' }), listAuth);
    expect(created.status).toBe(201);
    const before = await auditRows();
    const connection = await send(
      `${list}/resource-connections/${w.resource}`,
      'PUT',
      'application/json',
      '{"actionFilters":["read"],"actionFilters":[]}',
      listAuth,
    );
    expectProblem(connection, 400, 'STD.VLD-00001', DETAIL, refused('$.actionFilters'));
    const escaped = await send(list, 'PUT', 'application/json', '{"name":"A","\\u006eame":"B"}', listAuth);
    expectProblem(escaped, 400, 'STD.VLD-00001', DETAIL, refused('$.name'));
    expect(await auditRows()).toBe(before);
    const connections = await fetch(`${t.url}${list}/resource-connections`, {
      headers: { authorization: listAuth },
    });
    expect(((await connections.json()) as { data: unknown[] }).data).toEqual([]);
  });

  it('on the admin API, the consent API, webhooks, clients and scopes, at any depth, nothing is written', async () => {
    const admin = await bearer(t, { org: ADMIN_ORG, scope: Scopes.admin });
    const consumerOrg = w.consumer.org;
    const cases: Array<[string, string, string, string, string]> = [
      [
        'PUT',
        `/admin/v1/owners/${uniqueCode('o').slice(0, 20)}`,
        admin,
        `{"orgNumber":"${orgNumber()}","name":{"nb":"A","nn":"A","en":"A","nb":"B"}}`,
        '$.name.nb',
      ],
      [
        'POST',
        CONSENT_PATH,
        w.consumer.auth,
        twice(consentBody({ to: consumerOrg, resource: w.resource }), 'to', orgUrnOf(w.owner.orgNumber)),
        '$.to',
      ],
      [
        'POST',
        '/api/v1/webhooks',
        await bearer(t, { org: consumerOrg, scope: Scopes.consentRequestsRead }),
        '{"url":"https://hooks.example/a","eventTypes":["accepted"],"url":"https://evil.example/b"}',
        '$.url',
      ],
      [
        'POST',
        '/api/v1/clients',
        await bearer(t, { org: consumerOrg, scope: [Scopes.dcrWrite, Scopes.dcrRead] }),
        '{"client_name":"c","scopes":[],"integration_type":"maskinporten","token_endpoint_auth_method":"private_key_jwt","scopes":["altinn:consentrequests.write"]}',
        '$.scopes',
      ],
      [
        'POST',
        '/api/v1/scopes',
        await bearer(t, { org: w.owner.orgNumber, scope: [Scopes.scopesWrite, Scopes.scopesRead] }),
        `{"prefix":"${w.owner.orgcode}","subscope":"a","description":"d","subscope":"b"}`,
        '$.subscope',
      ],
    ];
    const before = await auditRows();
    const consents = await consentCounts(t);
    for (const [method, path, auth, text, at] of cases) {
      const res = await send(path, method, 'application/json', text, auth);
      expectProblem(res, 400, 'STD.VLD-00001', DETAIL, refused(at));
    }
    expect(await auditRows()).toBe(before);
    expect(await consentCounts(t)).toEqual(consents);
    expect(await sql(t, 'SELECT count(*)::int AS n FROM webhook_subscriptions')).toEqual([{ n: 0 }]);
  });

  it('lists every repeat, in body order, when there are several', async () => {
    const res = await send(
      `/resourceregistry/api/v1/access-lists/${w.owner.orgcode}/dup-many`,
      'PUT',
      'application/json',
      '{"name":"a","description":{"x":1,"x":2},"name":"b"}',
      listAuth,
    );
    expectProblem(res, 400, 'STD-00000', DETAIL, [...refused('$.description.x'), ...refused('$.name')]);
  });
});
