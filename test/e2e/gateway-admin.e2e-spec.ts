import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectRefused } from '../helpers/refusals.js';
import { bearer } from '../helpers/tokens.js';
import { http, sql } from '../factories/consent-fixtures.js';
import { ADMIN_ORG, createResource } from '../factories/registry.js';
import { gatewayWorld, type GatewayWorld } from '../factories/gateway-fixtures.js';
import { uniqueCode } from '../factories/orgs.js';
import { expectProblem } from '../factories/problems.js';

/**
 * `/admin/v1/apis` (DESIGN §4.9): owner-scoped registration of protected APIs. Every refusal
 * checks the problem body and that nothing changed in the database.
 */

let t: TestApp;
let world: GatewayWorld;
let other: GatewayWorld;

beforeAll(async () => {
  t = await createTestApp();
  world = await gatewayWorld(t);
  other = await gatewayWorld(t);
});

afterAll(async () => {
  await t?.close();
});

const UPSTREAM = 'https://api.skatteetaten.example/inntekt/v1';

function body(w: GatewayWorld, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: uniqueCode('api-').slice(0, 40),
    upstreamUrl: UPSTREAM,
    requiredScopes: [w.scope],
    consentResources: [w.resource],
    ...overrides,
  };
}

const call = (method: string, path: string, auth: string | undefined, payload?: unknown) =>
  http(t, method, path, auth, payload);

async function counts(): Promise<{ apis: number; audit: number }> {
  const [r] = await sql(
    t,
    "SELECT (SELECT count(*) FROM protected_apis)::int AS apis, (SELECT count(*) FROM audit_log WHERE object_type = 'protected-api')::int AS audit",
  );
  return r as { apis: number; audit: number };
}

describe('create', () => {
  it('registers an API with defaults, answers 201 with Location, and audits it', async () => {
    const b = body(world);
    const res = await call('POST', '/admin/v1/apis', world.owner.auth, b);
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`${t.url}/admin/v1/apis/${b.name as string}`);
    expect(res.body).toEqual({
      name: b.name,
      owner: world.owner.orgNumber,
      upstreamUrl: UPSTREAM,
      requiredScopes: [world.scope],
      consentResources: [world.resource],
      requiredAction: 'consent',
      consentSource: 'local',
      audience: null,
      subject: null,
      timeoutMs: 30000,
      maxBodyBytes: 104857600,
      rateLimit: null,
      proxyUrl: `${t.url}/proxy/${b.name as string}`,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const audit = await sql(
      t,
      "SELECT action, actor_org, owner_org FROM audit_log WHERE object_type = 'protected-api' AND object_id = $1",
      [b.name],
    );
    expect(audit).toEqual([
      { action: 'protected-api.create', actor_org: world.owner.orgNumber, owner_org: world.owner.orgNumber },
    ]);
  });

  it('stores every optional setting', async () => {
    const settings = {
      requiredAction: 'read',
      consentSource: 'token',
      audience: 'https://api.example/inntekt',
      subject: { in: 'header', name: 'X-Subject' },
      timeoutMs: 5000,
      maxBodyBytes: 1024,
      rateLimit: {
        perConsumer: { requests: 10, perSeconds: 1 },
        perConsent: { requests: 100, perSeconds: 60 },
      },
    };
    const res = await call('POST', '/admin/v1/apis', world.owner.auth, body(world, settings));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject(settings);
  });

  it('answers 409 when the name is taken, also by another owner', async () => {
    const b = body(world);
    expect((await call('POST', '/admin/v1/apis', world.owner.auth, b)).status).toBe(201);
    const before = await counts();
    const res = await call('POST', '/admin/v1/apis', other.owner.auth, body(other, { name: b.name }));
    expectProblem(res, 409, 'GW-00409', `A protected API named "${b.name as string}" already exists.`);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['a name outside the pattern', { name: 'Bad Name!' }, '$.name'],
    ['an ftp upstream', { upstreamUrl: 'ftp://files.example/x' }, '$.upstreamUrl'],
    ['an upstream with credentials', { upstreamUrl: 'https://user:pw@api.example/x' }, '$.upstreamUrl'],
    ['an upstream with a query', { upstreamUrl: 'https://api.example/x?token=1' }, '$.upstreamUrl'],
    ['no required scopes', { requiredScopes: [] }, '$.requiredScopes'],
    ['a malformed scope', { requiredScopes: ['no colon'] }, '$.requiredScopes'],
    ['no consent resources', { consentResources: [] }, '$.consentResources'],
    ['an unknown consent source', { consentSource: 'remote' }, '$.consentSource'],
    ['a timeout out of range', { timeoutMs: 10 }, '$.timeoutMs'],
    ['a negative body limit', { maxBodyBytes: -1 }, '$.maxBodyBytes'],
    ['a bad subject location', { subject: { in: 'cookie', name: 'x' } }, '$.subject.in'],
    [
      'a bad rate limit',
      { rateLimit: { perConsumer: { requests: 0, perSeconds: 1 } } },
      '$.rateLimit.perConsumer.requests',
    ],
    ['an unknown field', { extra: true }, '$.extra'],
  ])('answers 400 for %s and stores nothing', async (_what, overrides, path) => {
    const before = await counts();
    const res = await call('POST', '/admin/v1/apis', world.owner.auth, body(world, overrides));
    expect(res.status).toBe(400);
    expect(res.body.validationErrors.map((e: { paths: string[] }) => e.paths[0])).toContain(path);
    expect(res.body.type).toMatch(/^urn:consentgw:error:STD/);
    expect(await counts()).toEqual(before);
  });

  it('answers one 400 naming every resource the caller does not own, and a reserved subject header', async () => {
    const before = await counts();
    const res = await call(
      'POST',
      '/admin/v1/apis',
      world.owner.auth,
      body(world, {
        consentResources: [world.resource, other.resource, 'no-such-resource'],
        subject: { in: 'header', name: 'X-Consent-From' },
      }),
    );
    expectProblem(res, 400, 'STD-00000', 'One or more validation errors occurred.', [
      {
        code: 'STD.VLD-00001',
        title: 'subject.name is a header the gateway sets or removes',
        paths: ['$.subject.name'],
      },
      {
        code: 'STD.VLD-00001',
        title: 'consentResources[1] is not a consent resource of the caller',
        paths: ['$.consentResources[1]'],
      },
      {
        code: 'STD.VLD-00001',
        title: 'consentResources[2] is not a consent resource of the caller',
        paths: ['$.consentResources[2]'],
      },
    ]);
    expect(await counts()).toEqual(before);
  });

  it('needs resource.write: 401 without a token, 403 with only the read scope', async () => {
    const before = await counts();
    await expectRefused(await call('POST', '/admin/v1/apis', undefined, body(world)), {
      status: 401,
      code: 'AUTH-00401',
    });
    const readOnly = await bearer(t, {
      org: world.owner.orgNumber,
      scope: 'altinn:resourceregistry/resource.read',
    });
    const res = await call('POST', '/admin/v1/apis', readOnly, body(world));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('AUTH-00403');
    expect(await counts()).toEqual(before);
  });
});

describe('read', () => {
  it('lists only the caller’s APIs; the operator sees all', async () => {
    const mine = body(world);
    const theirs = body(other);
    await call('POST', '/admin/v1/apis', world.owner.auth, mine);
    await call('POST', '/admin/v1/apis', other.owner.auth, theirs);
    const list = await call('GET', '/admin/v1/apis', world.owner.auth);
    expect(list.status).toBe(200);
    expect(list.body.links).toEqual({ next: null });
    const names = list.body.data.map((a: { name: string }) => a.name);
    expect(names).toContain(mine.name);
    expect(names).not.toContain(theirs.name);
    expect(list.body.data.every((a: { owner: string }) => a.owner === world.owner.orgNumber)).toBe(true);

    const operator = await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
    const all = (await call('GET', '/admin/v1/apis', operator)).body.data.map(
      (a: { name: string }) => a.name,
    );
    expect(all).toEqual(expect.arrayContaining([mine.name, theirs.name]));
  });

  it('answers 404 for another owner’s API as for one that does not exist', async () => {
    const theirs = body(other);
    await call('POST', '/admin/v1/apis', other.owner.auth, theirs);
    const res = await call('GET', `/admin/v1/apis/${theirs.name as string}`, world.owner.auth);
    expectProblem(
      res,
      404,
      'GW-00404',
      `No protected API named "${theirs.name as string}" exists for this owner.`,
    );
    await expectRefused(await call('GET', '/admin/v1/apis/no-such-api', world.owner.auth), {
      status: 404,
      code: 'GW-00404',
    });
    expect((await call('GET', `/admin/v1/apis/${theirs.name as string}`, other.owner.auth)).status).toBe(200);
  });
});

describe('update and delete', () => {
  it('replaces the settings on PUT (omitted optional fields return to defaults) and audits before and after', async () => {
    const b = body(world, { timeoutMs: 5000, audience: 'aud-1' });
    await call('POST', '/admin/v1/apis', world.owner.auth, b);
    const second = await createResource(t, world.owner, {
      consentMetadata: {},
      consentText: { nb: 'D.', nn: 'D.', en: 'D.' },
    });
    const res = await call('PUT', `/admin/v1/apis/${b.name as string}`, world.owner.auth, {
      upstreamUrl: 'https://api2.example/v2',
      requiredScopes: [world.scope],
      consentResources: [world.resource, second.identifier],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      upstreamUrl: 'https://api2.example/v2',
      consentResources: [world.resource, second.identifier],
      timeoutMs: 30000,
      audience: null,
    });
    const [audit] = await sql(
      t,
      "SELECT before->>'upstreamUrl' AS b, after->>'upstreamUrl' AS a FROM audit_log WHERE object_id = $1 AND action = 'protected-api.update'",
      [b.name],
    );
    expect(audit).toEqual({ b: UPSTREAM, a: 'https://api2.example/v2' });
  });

  it('answers 404 to PUT and DELETE on another owner’s API and changes nothing', async () => {
    const theirs = body(other);
    await call('POST', '/admin/v1/apis', other.owner.auth, theirs);
    const before = await counts();
    const put = await call(
      'PUT',
      `/admin/v1/apis/${theirs.name as string}`,
      world.owner.auth,
      body(world, { name: undefined }),
    );
    expect(put.status).toBe(404);
    expect(put.body.code).toBe('GW-00404');
    const del = await call('DELETE', `/admin/v1/apis/${theirs.name as string}`, world.owner.auth);
    await expectRefused(del, { status: 404, code: 'GW-00404' });
    expect(await counts()).toEqual(before);
    const [row] = await sql(t, 'SELECT upstream_url FROM protected_apis WHERE name = $1', [theirs.name]);
    expect(row.upstream_url).toBe(UPSTREAM);
  });

  it('answers 400 when the body names another API than the path', async () => {
    const b = body(world);
    await call('POST', '/admin/v1/apis', world.owner.auth, b);
    const res = await call(
      'PUT',
      `/admin/v1/apis/${b.name as string}`,
      world.owner.auth,
      body(world, { name: 'another-name' }),
    );
    expect(res.status).toBe(400);
    expect(res.body.validationErrors).toEqual([
      { code: 'STD.VLD-00001', title: 'name in the body must equal the name in the path', paths: ['$.name'] },
    ]);
  });

  it('deletes with 204, audits it, and the API is gone', async () => {
    const b = body(world);
    await call('POST', '/admin/v1/apis', world.owner.auth, b);
    const del = await call('DELETE', `/admin/v1/apis/${b.name as string}`, world.owner.auth);
    expect(del.status).toBe(204);
    expect((await call('GET', `/admin/v1/apis/${b.name as string}`, world.owner.auth)).status).toBe(404);
    const audit = await sql(t, 'SELECT action FROM audit_log WHERE object_id = $1 ORDER BY id', [b.name]);
    expect(audit.map((r) => r.action)).toEqual(['protected-api.create', 'protected-api.delete']);
  });
});
