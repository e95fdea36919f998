import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OwnersService } from '../../src/owners/owners.service.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { orgNumber, personNumber, uniqueCode } from '../factories/orgs.js';
import { ADMIN_ORG, createResource, registerOwner } from '../factories/registry.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectRefused } from '../helpers/refusals.js';
import { bearer } from '../helpers/tokens.js';

const PROBLEM_JSON = 'application/problem+json';

describe('service owners and organisation roles (admin API)', () => {
  let t: TestApp;
  let prisma: PrismaService;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    prisma = t.app.get(PrismaService);
    admin = await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
  });

  afterAll(async () => {
    await t?.close();
  });

  function putOwner(code: string, body: unknown, auth = admin): Promise<Response> {
    return fetch(`${t.url}/admin/v1/owners/${code}`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  const name = { nb: 'Skatteetaten', nn: 'Skatteetaten', en: 'Norwegian Tax Administration' };

  describe('owners', () => {
    it('creates an owner with 201, reads it back and lists it', async () => {
      const code = uniqueCode('s').slice(0, 20);
      const number = orgNumber();
      const res = await putOwner(code, { orgNumber: number, name });
      expect(res.status).toBe(201);
      const created = (await res.json()) as Record<string, unknown>;
      expect(created).toMatchObject({ orgcode: code, orgNumber: number, name });
      expect(typeof created.createdAt).toBe('string');

      const one = await fetch(`${t.url}/admin/v1/owners/${code}`, { headers: { authorization: admin } });
      expect(one.status).toBe(200);
      expect(await one.json()).toEqual(created);

      const list = await fetch(`${t.url}/admin/v1/owners`, { headers: { authorization: admin } });
      expect(list.status).toBe(200);
      const page = (await list.json()) as { links: { next: string | null }; data: { orgcode: string }[] };
      expect(page.links).toEqual({ next: null });
      expect(page.data.map((o) => o.orgcode)).toContain(code);
    });

    it('updates an owner with 200 and audits create and update in the trail', async () => {
      const code = uniqueCode('s').slice(0, 20);
      const number = orgNumber();
      expect((await putOwner(code, { orgNumber: number, name })).status).toBe(201);
      const res = await putOwner(code, { orgNumber: number, name: { ...name, en: 'Tax Norway' } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { name: { en: string } }).name.en).toBe('Tax Norway');

      const rows = await prisma.auditEntry.findMany({
        where: { objectType: 'owner', objectId: code },
        orderBy: { id: 'asc' },
      });
      expect(rows.map((r) => r.action)).toEqual(['owner.create', 'owner.update']);
      expect(rows[1].ownerOrg).toBe(number);
      expect(rows[1].actorOrg).toBe(ADMIN_ORG);
      expect((rows[1].before as { name: { en: string } }).name.en).toBe(name.en);
      expect((rows[1].after as { name: { en: string } }).name.en).toBe('Tax Norway');
    });

    it('answers an identical PUT with 200 and writes no audit row', async () => {
      const code = uniqueCode('s').slice(0, 20);
      const body = { orgNumber: orgNumber(), name };
      expect((await putOwner(code, body)).status).toBe(201);
      const res = await putOwner(code, body);
      expect(res.status).toBe(200);
      expect(await prisma.auditEntry.count({ where: { objectType: 'owner', objectId: code } })).toBe(1);
    });

    it('refuses an org number another owner already has with 409 and changes nothing', async () => {
      const first = await registerOwner(t);
      const code = uniqueCode('s').slice(0, 20);
      const res = await putOwner(code, { orgNumber: first.orgNumber, name });
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toContain(PROBLEM_JSON);
      const problem = (await res.json()) as Record<string, unknown>;
      expect(problem).toMatchObject({ status: 409, code: 'OWN-00002' });
      expect(problem.detail).toContain(first.orgcode);
      expect(await prisma.owner.findUnique({ where: { orgcode: code } })).toBeNull();
    });

    it('refuses to move an owner that has resources to another org number', async () => {
      const owner = await registerOwner(t);
      await createResource(t, owner);
      const res = await putOwner(owner.orgcode, { orgNumber: orgNumber(), name });
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ code: 'OWN-00003' });
      expect((await prisma.owner.findUnique({ where: { orgcode: owner.orgcode } }))?.orgNumber).toBe(
        owner.orgNumber,
      );
    });

    it.each([
      ['an org code with uppercase letters', 'Skd', { orgNumber: '991825827', name }, '$.orgcode'],
      ['an org code starting with a digit', '1skd', { orgNumber: '991825827', name }, '$.orgcode'],
      ['a one-letter org code', 's', { orgNumber: '991825827', name }, '$.orgcode'],
      [
        'an org number with a wrong check digit',
        'validcode',
        { orgNumber: '991825828', name },
        '$.orgNumber',
      ],
      ['an org number of all zeros', 'validcode', { orgNumber: '000000000', name }, '$.orgNumber'],
      ['a missing name.en', 'validcode', { orgNumber: '991825827', name: { nb: 'a', nn: 'b' } }, '$.name.en'],
      ['an empty name.nb', 'validcode', { orgNumber: '991825827', name: { ...name, nb: '' } }, '$.name.nb'],
      ['an unknown field', 'validcode', { orgNumber: '991825827', name, extra: 1 }, '$.extra'],
      ['a missing org number', 'validcode', { name }, '$.orgNumber'],
    ])('refuses %s with a 400 naming the field, and stores nothing', async (_case, code, body, path) => {
      const before = await prisma.owner.count();
      const auditBefore = await prisma.auditEntry.count();
      const res = await putOwner(code, body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain(PROBLEM_JSON);
      const problem = (await res.json()) as {
        status: number;
        traceId: string;
        validationErrors: { paths: string[] }[];
      };
      expect(problem.status).toBe(400);
      expect(problem.traceId).toEqual(expect.any(String));
      expect(problem.validationErrors.flatMap((e) => e.paths)).toContain(path);
      expect(await prisma.owner.count()).toBe(before);
      expect(await prisma.auditEntry.count()).toBe(auditBefore);
    });

    it('answers 404 for an owner that does not exist', async () => {
      const res = await fetch(`${t.url}/admin/v1/owners/nosuchowner`, { headers: { authorization: admin } });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'OWN-00001' });
    });

    it('refuses callers without consentgw:admin with 403, and without a token with 401', async () => {
      const owner = await registerOwner(t);
      const notAdmin = await bearer(t, {
        org: owner.orgNumber,
        scope: 'altinn:resourceregistry/resource.write',
      });
      const code = uniqueCode('s').slice(0, 20);
      const put = await putOwner(code, { orgNumber: orgNumber(), name }, notAdmin);
      expect(put.headers.get('www-authenticate')).toContain('insufficient_scope');
      await expectRefused(put, { status: 403, code: 'AUTH-00403' });
      expect(await prisma.owner.findUnique({ where: { orgcode: code } })).toBeNull();
      await expectRefused(await fetch(`${t.url}/admin/v1/owners`, { headers: { authorization: notAdmin } }), {
        status: 403,
        code: 'AUTH-00403',
      });
      await expectRefused(
        await fetch(`${t.url}/admin/v1/owners/${owner.orgcode}`, { headers: { authorization: notAdmin } }),
        { status: 403, code: 'AUTH-00403' },
      );
      await expectRefused(await fetch(`${t.url}/admin/v1/owners`), { status: 401, code: 'AUTH-00401' });
    });

    it('pages the owner list 100 at a time with an opaque continuation token', async () => {
      const prefix = `zpage${Date.now().toString(36)}`.slice(0, 14);
      await prisma.owner.createMany({
        data: Array.from({ length: 130 }, (_, i) => ({
          orgcode: `${prefix}${String(i).padStart(3, '0')}`,
          orgNumber: orgNumber(),
          name,
        })),
      });
      const seen: string[] = [];
      let next: string | null = '/admin/v1/owners';
      let pages = 0;
      while (next) {
        const res = await fetch(`${t.url}${next}`, { headers: { authorization: admin } });
        expect(res.status).toBe(200);
        const page = (await res.json()) as { links: { next: string | null }; data: { orgcode: string }[] };
        expect(page.data.length).toBeLessThanOrEqual(100);
        seen.push(...page.data.map((o) => o.orgcode));
        next = page.links.next;
        pages++;
      }
      expect(pages).toBeGreaterThanOrEqual(2);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((c) => c.startsWith(prefix))).toHaveLength(130);
      expect([...seen].sort()).toEqual(seen);
    });

    it('refuses a forged continuation token with 400', async () => {
      const res = await fetch(`${t.url}/admin/v1/owners?continuationToken=not-a-token`, {
        headers: { authorization: admin },
      });
      const problem = await expectRefused(res, { status: 400, field: '$.continuationToken' });
      expect(problem.validationErrors?.[0].paths).toEqual(['$.continuationToken']);
    });

    it('finds owners by org code and org number through OwnersService', async () => {
      const owner = await registerOwner(t);
      const svc = t.app.get(OwnersService);
      expect(await svc.findByOrgcode(owner.orgcode)).toMatchObject({
        orgcode: owner.orgcode,
        orgNumber: owner.orgNumber,
      });
      expect(await svc.findByOrgNumber(owner.orgNumber)).toMatchObject({ orgcode: owner.orgcode });
      expect(await svc.findByOrgcode('nosuchowner')).toBeNull();
      expect(await svc.findByOrgNumber('991825827')).toBeNull();
    });
  });

  describe('organisation roles', () => {
    function rolesUrl(org: string, person?: string): string {
      return `${t.url}/admin/v1/organizations/${org}/roles${person ? `/${person}` : ''}`;
    }
    function putRoles(org: string, person: string, body: unknown, auth = admin): Promise<Response> {
      return fetch(rolesUrl(org, person), {
        method: 'PUT',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    }

    it("sets (201), replaces (200), lists and deletes (204) a person's roles, audited", async () => {
      const org = orgNumber();
      const person = personNumber();
      const created = await putRoles(org, person, { roles: ['DAGL', 'DAGL'] });
      expect(created.status).toBe(201);
      expect(await created.json()).toMatchObject({ orgNumber: org, personId: person, roles: ['DAGL'] });

      const replaced = await putRoles(org, person, { roles: ['LEDE', 'REGN'] });
      expect(replaced.status).toBe(200);
      expect(await replaced.json()).toMatchObject({ roles: ['LEDE', 'REGN'] });

      const list = await fetch(rolesUrl(org), { headers: { authorization: admin } });
      expect(list.status).toBe(200);
      expect(await list.json()).toMatchObject({
        links: { next: null },
        data: [{ personId: person, roles: ['LEDE', 'REGN'] }],
      });

      const del = await fetch(rolesUrl(org, person), { method: 'DELETE', headers: { authorization: admin } });
      expect(del.status).toBe(204);
      expect(await prisma.orgRole.count({ where: { orgNumber: org } })).toBe(0);

      const again = await fetch(rolesUrl(org, person), {
        method: 'DELETE',
        headers: { authorization: admin },
      });
      await expectRefused(again, { status: 404 });

      const actions = await prisma.auditEntry.findMany({
        where: { objectType: 'org-role', objectId: `${org}/${person}` },
        orderBy: { id: 'asc' },
      });
      expect(actions.map((a) => a.action)).toEqual(['org-role.create', 'org-role.update', 'org-role.delete']);
      expect(actions.every((a) => a.ownerOrg === org)).toBe(true);
    });

    it.each([
      [
        'an org number with a wrong check digit',
        '991825828',
        '02013299997',
        { roles: ['DAGL'] },
        '$.orgNumber',
      ],
      [
        'a person number with a wrong check digit',
        '991825827',
        '02013299996',
        { roles: ['DAGL'] },
        '$.personId',
      ],
      ['an empty role list', '991825827', '02013299997', { roles: [] }, '$.roles'],
      ['a lowercase role code', '991825827', '02013299997', { roles: ['dagl'] }, '$.roles'],
      ['a role code that is too long', '991825827', '02013299997', { roles: ['ABCDEFGHIJK'] }, '$.roles'],
      ['a missing role list', '991825827', '02013299997', {}, '$.roles'],
      ['an unknown field', '991825827', '02013299997', { roles: ['DAGL'], x: 1 }, '$.x'],
    ])(
      'refuses %s with a 400 naming the field, and stores nothing',
      async (_case, org, person, body, path) => {
        const before = await prisma.orgRole.count();
        const res = await putRoles(org, person, body);
        await expectRefused(res, { status: 400, field: path });
        expect(await prisma.orgRole.count()).toBe(before);
      },
    );

    it('refuses role changes and reads without consentgw:admin with 403', async () => {
      const org = orgNumber();
      const person = personNumber();
      const other = await bearer(t, { org, scope: 'altinn:resourceregistry/resource.write' });
      await expectRefused(await putRoles(org, person, { roles: ['DAGL'] }, other), {
        status: 403,
        code: 'AUTH-00403',
      });
      await expectRefused(await fetch(rolesUrl(org), { headers: { authorization: other } }), {
        status: 403,
        code: 'AUTH-00403',
      });
      expect(await prisma.orgRole.count({ where: { orgNumber: org } })).toBe(0);
      expect((await putRoles(org, person, { roles: ['DAGL'] })).status).toBe(201);
      const del = await fetch(rolesUrl(org, person), { method: 'DELETE', headers: { authorization: other } });
      await expectRefused(del, { status: 403, code: 'AUTH-00403' });
      expect(await prisma.orgRole.count({ where: { orgNumber: org } })).toBe(1);
    });

    it('answers rolesOf and hasAnyRole from OwnersService for the portal', async () => {
      const person = personNumber();
      const a = orgNumber();
      const b = orgNumber();
      expect((await putRoles(a, person, { roles: ['DAGL'] })).status).toBe(201);
      expect((await putRoles(b, person, { roles: ['REGN', 'LEDE'] })).status).toBe(201);
      const svc = t.app.get(OwnersService);
      const roles = await svc.rolesOf(person);
      expect(roles).toHaveLength(2);
      expect(roles).toEqual(
        expect.arrayContaining([
          { orgNumber: a, roles: ['DAGL'] },
          { orgNumber: b, roles: ['REGN', 'LEDE'] },
        ]),
      );
      expect(await svc.hasAnyRole(person, a, ['DAGL', 'LEDE'])).toBe(true);
      expect(await svc.hasAnyRole(person, b, ['DAGL'])).toBe(false);
      expect(await svc.hasAnyRole(person, b, [])).toBe(false);
      expect(await svc.hasAnyRole(personNumber(), a, ['DAGL'])).toBe(false);
      expect(await svc.rolesOf(personNumber())).toEqual([]);
    });
  });
});
