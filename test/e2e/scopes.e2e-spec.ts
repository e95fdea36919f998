import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PLATFORM_SCOPES, Scopes } from '../../src/common/auth/scopes.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { ScopesService } from '../../src/scopes/scopes.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/tokens.js';
import { http } from '../factories/consent-fixtures.js';
import { orgNumber, uniqueCode } from '../factories/orgs.js';
import { expectProblemStatus } from '../factories/problems.js';

/**
 * Scope registry (DESIGN §4.4, §10): scopes, prefix ownership, platform scopes, grants and
 * delegations — over real HTTP against a real database, with real tokens from the built-in issuer.
 */

let t: TestApp;
let prisma: PrismaService;

const call = (method: string, path: string, auth?: string, body?: unknown) =>
  http(t, method, path, auth, body);

const q = (scope: string) => `scope=${encodeURIComponent(scope)}`;
const owner = (org: string) => bearer(t, { org, scope: [Scopes.scopesRead, Scopes.scopesWrite] });
const prefix = () => uniqueCode('p').slice(0, 30);

/** A fresh org with its own prefix and one scope `<prefix>:data`. */
async function ownerWithScope(): Promise<{ org: string; auth: string; prefix: string; scope: string }> {
  const org = orgNumber();
  const auth = await owner(org);
  const p = prefix();
  const res = await call('POST', '/api/v1/scopes', auth, {
    prefix: p,
    subscope: 'data',
    description: 'Test data',
  });
  expect(res.status).toBe(201);
  return { org, auth, prefix: p, scope: `${p}:data` };
}

beforeAll(async () => {
  t = await createTestApp();
  prisma = t.app.get(PrismaService);
});

afterAll(async () => {
  await t?.close();
});

describe('platform scopes', () => {
  it('are seeded at start with no owner, and their prefixes are reserved', async () => {
    const rows = await prisma.scope.findMany({ where: { ownerOrgNumber: null } });
    expect(rows.map((r) => r.name).sort()).toEqual([...PLATFORM_SCOPES].sort());
    const prefixes = await prisma.scopePrefix.findMany({ where: { ownerOrgNumber: null } });
    expect(prefixes.map((p) => p.prefix).sort()).toEqual(['altinn', 'consentgw', 'idporten']);
  });

  it('are seeded idempotently when a second replica starts on the same database', async () => {
    const before = await prisma.scope.count();
    const replica = await createTestApp({ db: t.db });
    try {
      expect(await replica.app.get(PrismaService).scope.count()).toBe(before);
    } finally {
      await replica.close();
    }
  });

  it('are readable by an admin token and invisible to an ordinary owner', async () => {
    const admin = await bearer(t, { org: orgNumber(), scope: Scopes.admin });
    const res = await call('GET', `/api/v1/scopes?${q(Scopes.consentRequestsWrite)}`, admin);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: Scopes.consentRequestsWrite,
      prefix: 'altinn',
      subscope: 'consentrequests.write',
      owner_orgno: null,
      active: true,
    });
    expectProblemStatus(
      await call('GET', `/api/v1/scopes?${q(Scopes.consentRequestsWrite)}`, await owner(orgNumber())),
      404,
      'SCP-00001',
    );
  });

  it.each(['altinn', 'idporten', 'consentgw'])(
    'refuses creating a scope with the platform prefix %s, even with an admin token, and stores nothing',
    async (p) => {
      const auth = await bearer(t, { org: orgNumber(), scope: [Scopes.scopesWrite, Scopes.admin] });
      const before = await prisma.scope.count();
      const res = await call('POST', '/api/v1/scopes', auth, {
        prefix: p,
        subscope: 'mine',
        description: 'x',
      });
      expectProblemStatus(res, 403, 'SCP-00002');
      expect(res.body.detail).toContain(`'${p}'`);
      expect(await prisma.scope.count()).toBe(before);
      expect(await prisma.scopePrefix.findUnique({ where: { prefix: p } })).toMatchObject({
        ownerOrgNumber: null,
      });
    },
  );

  it('refuses changing a platform scope, even for an admin', async () => {
    const auth = await bearer(t, { org: orgNumber(), scope: [Scopes.scopesWrite, Scopes.admin] });
    const res = await call('PUT', `/api/v1/scopes?${q(Scopes.dcrRead)}`, auth, { description: 'hijacked' });
    expectProblemStatus(res, 403, 'SCP-00010');
    expect((await prisma.scope.findUnique({ where: { name: Scopes.dcrRead } }))?.description).not.toBe(
      'hijacked',
    );
  });
});

describe('scopes', () => {
  it('creates a scope with defaults, a Location and an audit row', async () => {
    const org = orgNumber();
    const p = prefix();
    const res = await call('POST', '/api/v1/scopes', await owner(org), {
      prefix: p,
      subscope: 'inntekt/v1.a_b-c',
      description: 'Inntekt',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(
      `/api/v1/scopes?scope=${encodeURIComponent(`${p}:inntekt/v1.a_b-c`)}`,
    );
    expect(res.body).toEqual({
      name: `${p}:inntekt/v1.a_b-c`,
      prefix: p,
      subscope: 'inntekt/v1.a_b-c',
      description: 'Inntekt',
      allowed_integration_types: ['maskinporten'],
      token_type: 'SELF_CONTAINED',
      at_max_age: null,
      active: true,
      owner_orgno: org,
      created: expect.any(String),
      last_updated: expect.any(String),
    });
    expect(new Date(res.body.created).toISOString()).toBe(res.body.created);
    const audit = await prisma.auditEntry.findMany({
      where: { objectType: 'scope', objectId: res.body.name },
    });
    expect(audit).toEqual([
      expect.objectContaining({ action: 'scope.create', actorOrg: org, ownerOrg: org, before: null }),
    ]);
    expect(await prisma.scopePrefix.findUnique({ where: { prefix: p } })).toMatchObject({
      ownerOrgNumber: org,
    });
  });

  it('accepts every optional field', async () => {
    const p = prefix();
    const res = await call('POST', '/api/v1/scopes', await owner(orgNumber()), {
      prefix: p,
      subscope: 'x',
      description: 'd',
      allowed_integration_types: ['maskinporten'],
      token_type: 'SELF_CONTAINED',
      at_max_age: 300,
      active: false,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ at_max_age: 300, active: false });
  });

  it('lists only the caller’s scopes, and everything for an admin', async () => {
    const a = await ownerWithScope();
    const b = await ownerWithScope();
    await call('POST', '/api/v1/scopes', a.auth, { prefix: a.prefix, subscope: 'more', description: 'more' });
    const res = await call('GET', '/api/v1/scopes', a.auth);
    expect(res.status).toBe(200);
    expect(res.body.map((s: { name: string }) => s.name)).toEqual([`${a.prefix}:data`, `${a.prefix}:more`]);
    const admin = await call(
      'GET',
      '/api/v1/scopes',
      await bearer(t, { org: orgNumber(), scope: Scopes.admin }),
    );
    const names = admin.body.map((s: { name: string }) => s.name);
    expect(names).toEqual(expect.arrayContaining([a.scope, b.scope, Scopes.admin]));
  });

  it('reads one scope by ?scope= for its owner, and answers 404 to another org', async () => {
    const a = await ownerWithScope();
    const mine = await call('GET', `/api/v1/scopes?${q(a.scope)}`, a.auth);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ name: a.scope, owner_orgno: a.org });
    const other = await call('GET', `/api/v1/scopes?${q(a.scope)}`, await owner(orgNumber()));
    expectProblemStatus(other, 404, 'SCP-00001');
    expectProblemStatus(await call('GET', `/api/v1/scopes?${q('nobody:nothing')}`, a.auth), 404, 'SCP-00001');
  });

  it('lets the first org claim a prefix and refuses it to a second org, storing nothing', async () => {
    const a = await ownerWithScope();
    const before = await prisma.scope.count();
    const auditBefore = await prisma.auditEntry.count();
    const res = await call('POST', '/api/v1/scopes', await owner(orgNumber()), {
      prefix: a.prefix,
      subscope: 'stolen',
      description: 'x',
    });
    expectProblemStatus(res, 403, 'SCP-00003');
    expect(res.body.detail).toContain(a.prefix);
    expect(await prisma.scope.count()).toBe(before);
    expect(await prisma.auditEntry.count()).toBe(auditBefore);
    expect(await prisma.scopePrefix.findUnique({ where: { prefix: a.prefix } })).toMatchObject({
      ownerOrgNumber: a.org,
    });
  });

  it('gives a contested new prefix to exactly one of two orgs racing for it', async () => {
    const p = prefix();
    const [r1, r2] = await Promise.all(
      [orgNumber(), orgNumber()].map(async (org) =>
        call('POST', '/api/v1/scopes', await owner(org), { prefix: p, subscope: 'race', description: 'x' }),
      ),
    );
    expect([r1.status, r2.status].sort()).toEqual([201, 403]);
    expect(await prisma.scope.count({ where: { prefix: p } })).toBe(1);
  });

  it('answers 409 for a scope that exists already', async () => {
    const a = await ownerWithScope();
    const res = await call('POST', '/api/v1/scopes', a.auth, {
      prefix: a.prefix,
      subscope: 'data',
      description: 'again',
    });
    expectProblemStatus(res, 409, 'SCP-00004');
    expect((await prisma.scope.findUnique({ where: { name: a.scope } }))?.description).toBe('Test data');
  });

  it.each([
    ['an upper-case prefix', { prefix: 'SKD', subscope: 'a', description: 'd' }, '$.prefix'],
    ['a one-letter prefix', { prefix: 's', subscope: 'a', description: 'd' }, '$.prefix'],
    ['a prefix with a colon', { prefix: 'a:b', subscope: 'a', description: 'd' }, '$.prefix'],
    ['a subscope with a space', { prefix: 'okprefix', subscope: 'a b', description: 'd' }, '$.subscope'],
    ['a missing description', { prefix: 'okprefix', subscope: 'a' }, '$.description'],
    [
      'an unknown integration type',
      { prefix: 'okprefix', subscope: 'a', description: 'd', allowed_integration_types: ['idporten'] },
      '$.allowed_integration_types',
    ],
    [
      'an OPAQUE token type',
      { prefix: 'okprefix', subscope: 'a', description: 'd', token_type: 'OPAQUE' },
      '$.token_type',
    ],
    [
      'at_max_age below 120',
      { prefix: 'okprefix', subscope: 'a', description: 'd', at_max_age: 60 },
      '$.at_max_age',
    ],
    [
      'at_max_age above 3600',
      { prefix: 'okprefix', subscope: 'a', description: 'd', at_max_age: 7200 },
      '$.at_max_age',
    ],
    [
      'active as a string',
      { prefix: 'okprefix', subscope: 'a', description: 'd', active: 'true' },
      '$.active',
    ],
    [
      'an unknown field',
      { prefix: 'okprefix', subscope: 'a', description: 'd', delegation_source: 'x' },
      '$.delegation_source',
    ],
  ])('refuses %s with a 400 naming the field, storing nothing', async (_name, body, path) => {
    const before = await prisma.scope.count();
    const res = await call('POST', '/api/v1/scopes', await owner(orgNumber()), body);
    expectProblemStatus(res, 400);
    expect(res.body.validationErrors).toEqual(
      expect.arrayContaining([expect.objectContaining({ paths: [path] })]),
    );
    expect(await prisma.scope.count()).toBe(before);
    expect(await prisma.scopePrefix.findUnique({ where: { prefix: 'okprefix' } })).toBeNull();
  });

  it('updates description, integration types, at_max_age and active, with before/after in the audit', async () => {
    const a = await ownerWithScope();
    const res = await call('PUT', `/api/v1/scopes?${q(a.scope)}`, a.auth, {
      description: 'New text',
      at_max_age: 600,
      active: false,
      allowed_integration_types: ['maskinporten'],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: a.scope,
      description: 'New text',
      at_max_age: 600,
      active: false,
    });
    expect(Date.parse(res.body.last_updated)).toBeGreaterThanOrEqual(Date.parse(res.body.created));
    const audit = await prisma.auditEntry.findFirst({ where: { objectId: a.scope, action: 'scope.update' } });
    expect(audit?.before).toMatchObject({ description: 'Test data', active: true, at_max_age: null });
    expect(audit?.after).toMatchObject({ description: 'New text', active: false, at_max_age: 600 });
    // at_max_age: null returns to the issuer default; omitted fields stay.
    const reset = await call('PUT', `/api/v1/scopes?${q(a.scope)}`, a.auth, { at_max_age: null });
    expect(reset.body).toMatchObject({ at_max_age: null, description: 'New text', active: false });
  });

  it('refuses an update of another org’s scope with 404, even for an admin, and changes nothing', async () => {
    const a = await ownerWithScope();
    const other = await bearer(t, { org: orgNumber(), scope: [Scopes.scopesWrite, Scopes.admin] });
    expectProblemStatus(
      await call('PUT', `/api/v1/scopes?${q(a.scope)}`, other, { description: 'mine now' }),
      404,
      'SCP-00001',
    );
    expect((await prisma.scope.findUnique({ where: { name: a.scope } }))?.description).toBe('Test data');
  });

  it.each([
    ['an unknown field', { prefix: 'other' }, '$.prefix'],
    ['a null description', { description: null }, '$.description'],
    ['an empty description', { description: '' }, '$.description'],
    ['at_max_age 30', { at_max_age: 30 }, '$.at_max_age'],
  ])('refuses an update with %s, changing nothing', async (_name, body, path) => {
    const a = await ownerWithScope();
    const res = await call('PUT', `/api/v1/scopes?${q(a.scope)}`, a.auth, body);
    expectProblemStatus(res, 400);
    expect(res.body.validationErrors).toEqual(
      expect.arrayContaining([expect.objectContaining({ paths: [path] })]),
    );
    expect(await prisma.scope.findUnique({ where: { name: a.scope } })).toMatchObject({
      description: 'Test data',
      atMaxAge: null,
      prefix: a.prefix,
    });
  });

  it('refuses a bad or missing ?scope= and unknown query parameters with 400', async () => {
    const auth = await owner(orgNumber());
    expectProblemStatus(await call('PUT', '/api/v1/scopes', auth, { description: 'x' }), 400);
    expectProblemStatus(await call('GET', '/api/v1/scopes?scope=NoColon', auth), 400);
    expectProblemStatus(await call('GET', '/api/v1/scopes?foo=bar', auth), 400);
    expectProblemStatus(await call('GET', '/api/v1/scopes/access?scope=a', auth), 400);
  });
});

describe('grants', () => {
  it('lets the owner grant a scope: 201 the first time, 200 after, listed and audited', async () => {
    const a = await ownerWithScope();
    const consumer = orgNumber();
    const first = await call('PUT', `/api/v1/scopes/access/${consumer}?${q(a.scope)}`, a.auth);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ scope: a.scope, consumer_orgno: consumer, created: expect.any(String) });
    const again = await call('PUT', `/api/v1/scopes/access/${consumer}?${q(a.scope)}`, a.auth);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const list = await call('GET', `/api/v1/scopes/access?${q(a.scope)}`, a.auth);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([first.body]);
    const audit = await prisma.auditEntry.findMany({
      where: { objectType: 'scope-grant', objectId: `${a.scope}|${consumer}` },
    });
    expect(audit).toEqual([
      expect.objectContaining({ action: 'scope-grant.create', actorOrg: a.org, ownerOrg: a.org }),
    ]);
  });

  it('does not let another org grant, list or revoke the owner’s scope (404), and stores nothing', async () => {
    const a = await ownerWithScope();
    const b = await owner(orgNumber());
    const consumer = orgNumber();
    await call('PUT', `/api/v1/scopes/access/${consumer}?${q(a.scope)}`, a.auth);
    expectProblemStatus(
      await call('PUT', `/api/v1/scopes/access/${orgNumber()}?${q(a.scope)}`, b),
      404,
      'SCP-00001',
    );
    expectProblemStatus(await call('GET', `/api/v1/scopes/access?${q(a.scope)}`, b), 404, 'SCP-00001');
    expectProblemStatus(
      await call('DELETE', `/api/v1/scopes/access/${consumer}?${q(a.scope)}`, b),
      404,
      'SCP-00001',
    );
    expect(await prisma.scopeGrant.findMany({ where: { scope: a.scope } })).toEqual([
      expect.objectContaining({ consumerOrgNumber: consumer }),
    ]);
  });

  it.each(['991825828', '123456789', '12345678', 'abcdefghi', '000000000'])(
    'refuses the org number %s with a 400, storing nothing',
    async (bad) => {
      const a = await ownerWithScope();
      const res = await call('PUT', `/api/v1/scopes/access/${bad}?${q(a.scope)}`, a.auth);
      expectProblemStatus(res, 400);
      expect(res.body.validationErrors).toEqual([
        expect.objectContaining({ paths: ['$.consumerOrgNumber'] }),
      ]);
      expect(await prisma.scopeGrant.count({ where: { scope: a.scope } })).toBe(0);
    },
  );

  it('answers 404 for granting an unknown scope', async () => {
    expectProblemStatus(
      await call(
        'PUT',
        `/api/v1/scopes/access/${orgNumber()}?${q('nope:nothing')}`,
        await owner(orgNumber()),
      ),
      404,
      'SCP-00001',
    );
  });

  it('revokes a grant with 204, then 404, and audits it', async () => {
    const a = await ownerWithScope();
    const consumer = orgNumber();
    await call('PUT', `/api/v1/scopes/access/${consumer}?${q(a.scope)}`, a.auth);
    const del = await call('DELETE', `/api/v1/scopes/access/${consumer}?${q(a.scope)}`, a.auth);
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    expect(await prisma.scopeGrant.count({ where: { scope: a.scope } })).toBe(0);
    expectProblemStatus(
      await call('DELETE', `/api/v1/scopes/access/${consumer}?${q(a.scope)}`, a.auth),
      404,
      'SCP-00006',
    );
    expect(
      await prisma.auditEntry.count({
        where: { action: 'scope-grant.delete', objectId: `${a.scope}|${consumer}` },
      }),
    ).toBe(1);
  });

  it('needs idporten:scopes.write for an owner scope even when the token is an admin token', async () => {
    const a = await ownerWithScope();
    const adminOnly = await bearer(t, { org: a.org, scope: Scopes.admin });
    const res = await call('PUT', `/api/v1/scopes/access/${orgNumber()}?${q(a.scope)}`, adminOnly);
    expectProblemStatus(res, 403, 'AUTH-00403');
    expect(res.headers.get('www-authenticate')).toContain('insufficient_scope');
    expect(await prisma.scopeGrant.count({ where: { scope: a.scope } })).toBe(0);
  });

  it('grants a platform scope only with a consentgw:admin token', async () => {
    const consumer = orgNumber();
    const writer = await bearer(t, { org: orgNumber(), scope: [Scopes.scopesWrite, Scopes.scopesRead] });
    const refused = await call(
      'PUT',
      `/api/v1/scopes/access/${consumer}?${q(Scopes.consentRequestsWrite)}`,
      writer,
    );
    expectProblemStatus(refused, 403, 'SCP-00005');
    expect(await t.app.get(ScopesService).isGranted(Scopes.consentRequestsWrite, consumer)).toBe(false);

    const admin = await bearer(t, { org: orgNumber(), scope: Scopes.admin });
    const granted = await call(
      'PUT',
      `/api/v1/scopes/access/${consumer}?${q(Scopes.consentRequestsWrite)}`,
      admin,
    );
    expect(granted.status).toBe(201);
    expect(await t.app.get(ScopesService).isGranted(Scopes.consentRequestsWrite, consumer)).toBe(true);
    const list = await call('GET', `/api/v1/scopes/access?${q(Scopes.consentRequestsWrite)}`, admin);
    expect(list.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ consumer_orgno: consumer })]),
    );
    expectProblemStatus(
      await call('DELETE', `/api/v1/scopes/access/${consumer}?${q(Scopes.consentRequestsWrite)}`, writer),
      403,
      'SCP-00005',
    );
    expect(
      (await call('DELETE', `/api/v1/scopes/access/${consumer}?${q(Scopes.consentRequestsWrite)}`, admin))
        .status,
    ).toBe(204);
    expect(await t.app.get(ScopesService).isGranted(Scopes.consentRequestsWrite, consumer)).toBe(false);
  });
});

describe('delegations', () => {
  async function grantedConsumer(): Promise<{
    scope: string;
    consumer: string;
    auth: string;
    ownerAuth: string;
  }> {
    const a = await ownerWithScope();
    const consumer = orgNumber();
    expect((await call('PUT', `/api/v1/scopes/access/${consumer}?${q(a.scope)}`, a.auth)).status).toBe(201);
    return { scope: a.scope, consumer, auth: await owner(consumer), ownerAuth: a.auth };
  }

  it('lets a consumer holding a grant delegate it to a supplier: 201, then 200, readable and audited', async () => {
    const c = await grantedConsumer();
    const supplier = orgNumber();
    const path = `/api/v1/scopes/delegations/${supplier}?${q(c.scope)}`;
    const first = await call('PUT', path, c.auth);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      scope: c.scope,
      consumer_orgno: c.consumer,
      supplier_orgno: supplier,
      created: expect.any(String),
    });
    expect((await call('PUT', path, c.auth)).status).toBe(200);
    expect(await call('GET', path, c.auth)).toMatchObject({ status: 200, body: first.body });
    expect(await call('GET', '/api/v1/scopes/delegations', c.auth)).toMatchObject({
      status: 200,
      body: [first.body],
    });
    expect(await call('GET', `/api/v1/scopes/delegations?${q(c.scope)}`, c.auth)).toMatchObject({
      body: [first.body],
    });
    const scopes = t.app.get(ScopesService);
    expect(await scopes.isDelegated(c.scope, c.consumer, supplier)).toBe(true);
    expect(await scopes.isDelegated(c.scope, supplier, c.consumer)).toBe(false);
    expect(
      await prisma.auditEntry.count({ where: { action: 'scope-delegation.create', ownerOrg: c.consumer } }),
    ).toBe(1);
  });

  it('withdraws a delegation with 204, then 404', async () => {
    const c = await grantedConsumer();
    const supplier = orgNumber();
    const path = `/api/v1/scopes/delegations/${supplier}?${q(c.scope)}`;
    await call('PUT', path, c.auth);
    expect((await call('DELETE', path, c.auth)).status).toBe(204);
    expectProblemStatus(await call('DELETE', path, c.auth), 404, 'SCP-00008');
    expectProblemStatus(await call('GET', path, c.auth), 404, 'SCP-00008');
    expect(await t.app.get(ScopesService).isDelegated(c.scope, c.consumer, supplier)).toBe(false);
  });

  it('refuses a delegation of a scope the caller’s org does not hold (403), storing nothing', async () => {
    const a = await ownerWithScope();
    const res = await call(
      'PUT',
      `/api/v1/scopes/delegations/${orgNumber()}?${q(a.scope)}`,
      await owner(orgNumber()),
    );
    expectProblemStatus(res, 403, 'SCP-00007');
    expect(await prisma.scopeDelegation.count({ where: { scope: a.scope } })).toBe(0);
  });

  it('refuses delegating to the caller’s own org, an unknown scope, the operator scope and a bad org number', async () => {
    const c = await grantedConsumer();
    expectProblemStatus(
      await call('PUT', `/api/v1/scopes/delegations/${c.consumer}?${q(c.scope)}`, c.auth),
      400,
      'SCP-00009',
    );
    expectProblemStatus(
      await call('PUT', `/api/v1/scopes/delegations/${orgNumber()}?${q('nope:none')}`, c.auth),
      404,
      'SCP-00001',
    );
    expectProblemStatus(
      await call('PUT', `/api/v1/scopes/delegations/${orgNumber()}?${q(Scopes.admin)}`, c.auth),
      403,
      'SCP-00011',
    );
    const bad = await call('PUT', `/api/v1/scopes/delegations/991825828?${q(c.scope)}`, c.auth);
    expectProblemStatus(bad, 400);
    expect(bad.body.validationErrors).toEqual([expect.objectContaining({ paths: ['$.supplierOrgNumber'] })]);
    expect(await prisma.scopeDelegation.count({ where: { consumerOrgNumber: c.consumer } })).toBe(0);
  });

  it('does not show one consumer’s delegations to another org', async () => {
    const c = await grantedConsumer();
    const supplier = orgNumber();
    await call('PUT', `/api/v1/scopes/delegations/${supplier}?${q(c.scope)}`, c.auth);
    const other = await owner(orgNumber());
    expectProblemStatus(
      await call('GET', `/api/v1/scopes/delegations/${supplier}?${q(c.scope)}`, other),
      404,
      'SCP-00008',
    );
    expectProblemStatus(
      await call('DELETE', `/api/v1/scopes/delegations/${supplier}?${q(c.scope)}`, other),
      404,
      'SCP-00008',
    );
    expect((await call('GET', '/api/v1/scopes/delegations', other)).body).toEqual([]);
    expect(await prisma.scopeDelegation.count({ where: { scope: c.scope } })).toBe(1);
  });

  it('removes the consumer’s delegations when its grant is revoked', async () => {
    const c = await grantedConsumer();
    const supplier = orgNumber();
    await call('PUT', `/api/v1/scopes/delegations/${supplier}?${q(c.scope)}`, c.auth);
    expect(
      (await call('DELETE', `/api/v1/scopes/access/${c.consumer}?${q(c.scope)}`, c.ownerAuth)).status,
    ).toBe(204);
    expect(await prisma.scopeDelegation.count({ where: { scope: c.scope } })).toBe(0);
    expect(await t.app.get(ScopesService).isDelegated(c.scope, c.consumer, supplier)).toBe(false);
    expect(
      await prisma.auditEntry.count({ where: { action: 'scope-delegation.delete', ownerOrg: c.consumer } }),
    ).toBe(1);
  });
});

describe('ScopesService', () => {
  it('reads a scope as a ScopeView and null for an unknown name', async () => {
    const a = await ownerWithScope();
    const scopes = t.app.get(ScopesService);
    expect(await scopes.getScope(a.scope)).toEqual({
      name: a.scope,
      prefix: a.prefix,
      subscope: 'data',
      ownerOrgNumber: a.org,
      description: 'Test data',
      atMaxAge: null,
      active: true,
      allowedIntegrationTypes: ['maskinporten'],
      tokenType: 'SELF_CONTAINED',
    });
    expect(await scopes.getScope(Scopes.admin)).toMatchObject({ ownerOrgNumber: null, prefix: 'consentgw' });
    expect(await scopes.getScope('nope:nothing')).toBeNull();
  });

  it('grants in the caller’s transaction, idempotently and audited, and counts only active scopes', async () => {
    const a = await ownerWithScope();
    const consumer = orgNumber();
    const scopes = t.app.get(ScopesService);
    const actor = { org: a.org, client: null };
    expect(await prisma.$transaction((tx) => scopes.grantInTx(tx, a.scope, consumer, actor))).toBe(true);
    expect(await prisma.$transaction((tx) => scopes.grantInTx(tx, a.scope, consumer, actor))).toBe(false);
    expect(await prisma.auditEntry.count({ where: { objectId: `${a.scope}|${consumer}` } })).toBe(1);
    expect(await scopes.isGranted(a.scope, consumer)).toBe(true);
    expect(await scopes.grantedScopes(consumer)).toEqual([a.scope]);

    // A grant rolled back with the caller's transaction leaves nothing behind.
    const other = orgNumber();
    await expect(
      prisma.$transaction(async (tx) => {
        await scopes.grantInTx(tx, a.scope, other, actor);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await scopes.isGranted(a.scope, other)).toBe(false);
    expect(await prisma.auditEntry.count({ where: { objectId: `${a.scope}|${other}` } })).toBe(0);

    await call('PUT', `/api/v1/scopes?${q(a.scope)}`, a.auth, { active: false });
    expect(await scopes.isGranted(a.scope, consumer)).toBe(false);
    expect(await scopes.grantedScopes(consumer)).toEqual([]);
  });

  it('refuses to grant an unknown scope or to an invalid org number', async () => {
    const scopes = t.app.get(ScopesService);
    const a = await ownerWithScope();
    await expect(
      prisma.$transaction((tx) => scopes.grantInTx(tx, 'nope:none', orgNumber(), {})),
    ).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      prisma.$transaction((tx) => scopes.grantInTx(tx, a.scope, '991825828', {})),
    ).rejects.toMatchObject({
      status: 400,
    });
  });
});

describe('authorization', () => {
  // Every row has three cells: Jest takes an extra parameter beyond a row's length for `done`.
  const routes: Array<[string, (s: string, org: string) => string, unknown]> = [
    ['GET', (s) => `/api/v1/scopes?${q(s)}`, undefined],
    ['GET', () => '/api/v1/scopes', undefined],
    ['POST', () => '/api/v1/scopes', { prefix: 'zz', subscope: 'a', description: 'd' }],
    ['PUT', (s) => `/api/v1/scopes?${q(s)}`, { description: 'x' }],
    ['GET', (s) => `/api/v1/scopes/access?${q(s)}`, undefined],
    ['PUT', (s, org) => `/api/v1/scopes/access/${org}?${q(s)}`, undefined],
    ['DELETE', (s, org) => `/api/v1/scopes/access/${org}?${q(s)}`, undefined],
    ['GET', () => '/api/v1/scopes/delegations', undefined],
    ['GET', (s, org) => `/api/v1/scopes/delegations/${org}?${q(s)}`, undefined],
    ['PUT', (s, org) => `/api/v1/scopes/delegations/${org}?${q(s)}`, undefined],
    ['DELETE', (s, org) => `/api/v1/scopes/delegations/${org}?${q(s)}`, undefined],
  ];

  it.each(routes)(
    '%s %# answers 403 insufficient_scope to a token without the scopes API scopes',
    async (method, path, body) => {
      const a = await ownerWithScope();
      const wrong = await bearer(t, { org: a.org, scope: [Scopes.dcrWrite, Scopes.resourceWrite] });
      const res = await call(method, path(a.scope, orgNumber()), wrong, body);
      expectProblemStatus(res, 403, 'AUTH-00403');
      expect(res.headers.get('www-authenticate')).toContain('insufficient_scope');
    },
  );

  it.each(routes)('%s %# answers 401 without a token', async (method, path, body) => {
    const res = await call(method, path('a1:b', orgNumber()), undefined, body);
    expectProblemStatus(res, 401);
  });

  it('does not let a read-only token write', async () => {
    const a = await ownerWithScope();
    const read = await bearer(t, { org: a.org, scope: Scopes.scopesRead });
    expectProblemStatus(
      await call('POST', '/api/v1/scopes', read, { prefix: a.prefix, subscope: 'ro', description: 'd' }),
      403,
      'AUTH-00403',
    );
    expectProblemStatus(
      await call('PUT', `/api/v1/scopes?${q(a.scope)}`, read, { description: 'ro' }),
      403,
      'AUTH-00403',
    );
    expectProblemStatus(
      await call('PUT', `/api/v1/scopes/access/${orgNumber()}?${q(a.scope)}`, read),
      403,
      'AUTH-00403',
    );
    expect(await prisma.scope.findUnique({ where: { name: a.scope } })).toMatchObject({
      description: 'Test data',
    });
    expect(await prisma.scope.count({ where: { prefix: a.prefix } })).toBe(1);
  });
});
