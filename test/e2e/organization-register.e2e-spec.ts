import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OwnersService } from '../../src/owners/owners.service.js';
import { OrganizationNamesService } from '../../src/owners/organization-names.service.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { orgNumber, personNumber, uniqueCode } from '../factories/orgs.js';
import { ADMIN_ORG, registerOwner } from '../factories/registry.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectRefused, expectUnchanged } from '../helpers/refusals.js';
import { bearer } from '../helpers/tokens.js';

const PROBLEM_JSON = 'application/problem+json';
const ORGS = '/admin/v1/organizations';
const LISTS = '/resourceregistry/api/v1/access-lists';
const ACCESS_LIST_WRITE = 'altinn:resourceregistry/accesslist.write';

interface Problem {
  status: number;
  code: string;
  validationErrors?: { code: string; title: string; paths: string[] }[];
}

describe('the organisation register (issue 20)', () => {
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

  function put(org: string, body: unknown, auth = admin): Promise<Response> {
    return fetch(`${t.url}${ORGS}/${org}`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  function importBody(body: string, contentType: string, auth = admin): Promise<Response> {
    return fetch(`${t.url}${ORGS}/import`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': contentType },
      body,
    });
  }

  describe('PUT and GET /admin/v1/organizations/{orgNumber}', () => {
    it('creates with 201, replaces with 200, reads back and audits both with the admin as actor', async () => {
      const org = orgNumber();
      const created = await put(org, { name: { nb: 'Skatteetaten' }, organizationForm: 'ORGL' });
      expect(created.status).toBe(201);
      expect(await created.json()).toMatchObject({
        orgNumber: org,
        name: { nb: 'Skatteetaten' },
        organizationForm: 'ORGL',
        parentOrgNumber: null,
      });

      const replaced = await put(org, {
        name: { nb: 'Skatteetaten', nn: 'Skatteetaten', en: 'Norwegian Tax Administration' },
        organizationForm: 'ORGL',
      });
      expect(replaced.status).toBe(200);
      const body = (await replaced.json()) as Record<string, unknown>;
      expect(body.name).toEqual({
        nb: 'Skatteetaten',
        nn: 'Skatteetaten',
        en: 'Norwegian Tax Administration',
      });

      const one = await fetch(`${t.url}${ORGS}/${org}`, { headers: { authorization: admin } });
      expect(one.status).toBe(200);
      expect(await one.json()).toEqual(body);

      const audit = await prisma.auditEntry.findMany({
        where: { objectType: 'organization', objectId: org },
        orderBy: { id: 'asc' },
      });
      expect(audit.map((a) => a.action)).toEqual(['organization.create', 'organization.update']);
      expect(audit[0].actorOrg).toBe(ADMIN_ORG);
    });

    it('accepts GET’s read-only members on PUT, so GET → edit → PUT works', async () => {
      const org = orgNumber();
      await put(org, { name: { nb: 'Før' } });
      const got = (await (
        await fetch(`${t.url}${ORGS}/${org}`, { headers: { authorization: admin } })
      ).json()) as Record<string, unknown>;
      const res = await put(org, { ...got, name: { nb: 'Etter' } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { name: { nb: string } }).name.nb).toBe('Etter');
    });

    it('registers a sub-unit under its main unit', async () => {
      const main = orgNumber();
      const sub = orgNumber();
      expect((await put(main, { name: { nb: 'Hovedenhet AS' }, organizationForm: 'AS' })).status).toBe(201);
      const res = await put(sub, {
        name: { nb: 'Hovedenhet AS avd Bergen' },
        organizationForm: 'BEDR',
        parentOrgNumber: main,
      });
      expect(res.status).toBe(201);
      expect(((await res.json()) as { parentOrgNumber: string }).parentOrgNumber).toBe(main);
    });

    it('answers 404 problem+json for an organisation not in the register', async () => {
      const res = await fetch(`${t.url}${ORGS}/${orgNumber()}`, { headers: { authorization: admin } });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain(PROBLEM_JSON);
      expect(((await res.json()) as Problem).code).toBe('OWN-00005');
    });

    it.each([
      ['a missing nb name', { name: { en: 'Only English' } }, '$.name.nb'],
      ['an empty name', { name: { nb: '' } }, '$.name.nb'],
      ['a too long name', { name: { nb: 'x'.repeat(301) } }, '$.name.nb'],
      ['a lowercase organisation form', { name: { nb: 'A' }, organizationForm: 'as' }, '$.organizationForm'],
      [
        'a parent with a bad checksum',
        { name: { nb: 'A' }, parentOrgNumber: '123456789' },
        '$.parentOrgNumber',
      ],
      ['an unknown member', { name: { nb: 'A' }, colour: 'blue' }, '$.colour'],
    ])('refuses %s with 400 naming the field, and stores nothing', async (_label, body, path) => {
      const org = orgNumber();
      const res = await put(org, body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain(PROBLEM_JSON);
      const problem = (await res.json()) as Problem;
      expect(problem.validationErrors?.flatMap((e) => e.paths)).toContain(path);
      expect(await prisma.organization.count({ where: { orgNumber: org } })).toBe(0);
    });

    it('refuses a bad org number in the path with 400', async () => {
      const res = await put('123456789', { name: { nb: 'A' } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as Problem).validationErrors?.[0].paths).toEqual(['$.orgNumber']);
    });

    it('refuses an unknown main unit, the organisation itself as main unit, and a loop', async () => {
      const a = orgNumber();
      const b = orgNumber();
      const unknown = await put(a, { name: { nb: 'A' }, parentOrgNumber: orgNumber() });
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as Problem).validationErrors?.[0].title).toContain(
        'not in the organisation register',
      );
      expect(await prisma.organization.count({ where: { orgNumber: a } })).toBe(0);

      const self = await put(a, { name: { nb: 'A' }, parentOrgNumber: a });
      await expectRefused(self, { status: 400, field: '$.parentOrgNumber' });
      expect(await prisma.organization.count({ where: { orgNumber: a } })).toBe(0);

      expect((await put(a, { name: { nb: 'A' } })).status).toBe(201);
      expect((await put(b, { name: { nb: 'B' }, parentOrgNumber: a })).status).toBe(201);
      const loop = await put(a, { name: { nb: 'A' }, parentOrgNumber: b });
      expect(loop.status).toBe(400);
      expect(((await loop.json()) as Problem).validationErrors?.[0].title).toContain('loop');
      const stored = await prisma.organization.findUnique({ where: { orgNumber: a } });
      expect(stored?.parentOrgNumber).toBeNull();
    });
  });

  describe('who may use the register', () => {
    it('refuses a token without consentgw:admin (403) and a missing token (401), for reads and writes', async () => {
      const org = orgNumber();
      const owner = await bearer(t, {
        org,
        scope: `${ACCESS_LIST_WRITE} altinn:resourceregistry/resource.write`,
      });
      const notAdmin = { status: 403, code: 'AUTH-00403' };
      await expectRefused(await put(org, { name: { nb: 'Meg selv' } }, owner), notAdmin);
      await expectRefused(await fetch(`${t.url}${ORGS}`, { headers: { authorization: owner } }), notAdmin);
      await expectRefused(
        await fetch(`${t.url}${ORGS}/${org}`, { headers: { authorization: owner } }),
        notAdmin,
      );
      await expectRefused(await importBody('[]', 'application/json', owner), notAdmin);
      await expectRefused(await fetch(`${t.url}${ORGS}`), { status: 401, code: 'AUTH-00401' });
      expect(await prisma.organization.count({ where: { orgNumber: org } })).toBe(0);
    });
  });

  describe('the list', () => {
    it('pages by org number with links.next', async () => {
      for (let i = 0; i < 3; i++) await put(orgNumber(), { name: { nb: `Liste ${i}` } });
      const total = await prisma.organization.count();
      const first = await fetch(`${t.url}${ORGS}`, { headers: { authorization: admin } });
      expect(first.status).toBe(200);
      const page = (await first.json()) as { links: { next: string | null }; data: { orgNumber: string }[] };
      expect(page.data.length).toBe(Math.min(total, 100));
      const numbers = page.data.map((o) => o.orgNumber);
      expect([...numbers].sort()).toEqual(numbers);
      const bad = await fetch(`${t.url}${ORGS}?continuationToken=forged`, {
        headers: { authorization: admin },
      });
      await expectRefused(bad, { status: 400, field: '$.continuationToken' });
    });
  });

  describe('POST /admin/v1/organizations/import (Brønnøysund open data)', () => {
    it('imports the API’s JSON page shape with main units and sub-units, then reports unchanged rows', async () => {
      const main = orgNumber();
      const sub = orgNumber();
      const page = {
        _embedded: {
          underenheter: [
            {
              organisasjonsnummer: sub,
              navn: 'BANKEN AS AVD OSLO',
              organisasjonsform: { kode: 'BEDR', beskrivelse: 'Underenhet' },
              overordnetEnhet: main,
            },
          ],
          enheter: [{ organisasjonsnummer: main, navn: 'BANKEN AS', organisasjonsform: { kode: 'ASA' } }],
        },
      };
      const res = await importBody(JSON.stringify(page), 'application/json');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ created: 2, updated: 0, unchanged: 0 });
      const stored = await prisma.organization.findUnique({ where: { orgNumber: sub } });
      expect(stored).toMatchObject({
        parentOrgNumber: main,
        organizationForm: 'BEDR',
        name: { nb: 'BANKEN AS AVD OSLO' },
      });

      const again = await importBody(JSON.stringify(page), 'application/json');
      expect(await again.json()).toEqual({ created: 0, updated: 0, unchanged: 2 });
      const audit = await prisma.auditEntry.findMany({ where: { action: 'organization.import' } });
      expect(audit.length).toBeGreaterThanOrEqual(2);
      expect(audit[0].actorOrg).toBe(ADMIN_ORG);
    });

    it('imports the CSV download (semicolons, quotes, BOM) and keeps nn/en names set by PUT', async () => {
      const a = orgNumber();
      const b = orgNumber();
      await put(a, { name: { nb: 'Gammelt navn', en: 'English name' } });
      const csv =
        '\uFEFF"organisasjonsnummer";"navn";"organisasjonsform.kode";"organisasjonsform.beskrivelse";"overordnetEnhet"\n' +
        `"${a}";"NYTT NAVN; MED SEMIKOLON";"AS";"Aksjeselskap";""\n` +
        `"${b}";"UNDERENHET";"BEDR";"Underenhet";"${a}"\n`;
      const res = await importBody(csv, 'text/csv');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ created: 1, updated: 1, unchanged: 0 });
      const stored = await prisma.organization.findUnique({ where: { orgNumber: a } });
      expect(stored?.name).toEqual({ nb: 'NYTT NAVN; MED SEMIKOLON', en: 'English name' });
      expect((await prisma.organization.findUnique({ where: { orgNumber: b } }))?.parentOrgNumber).toBe(a);
    });

    it('refuses the whole file when one unit is bad, naming every bad row, and stores nothing', async () => {
      const good = orgNumber();
      const units = [
        { organisasjonsnummer: good, navn: 'GOD AS' },
        { organisasjonsnummer: '123456789', navn: 'FEIL' },
        { organisasjonsnummer: orgNumber() },
        { organisasjonsnummer: good, navn: 'DUPLIKAT' },
      ];
      const res = await importBody(JSON.stringify(units), 'application/json');
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain(PROBLEM_JSON);
      const paths = ((await res.json()) as Problem).validationErrors?.flatMap((e) => e.paths);
      expect(paths).toEqual(['$[1].organisasjonsnummer', '$[2].navn', '$[3].organisasjonsnummer']);
      expect(await prisma.organization.count({ where: { orgNumber: good } })).toBe(0);
    });

    it('refuses a sub-unit whose main unit is neither in the file nor in the register', async () => {
      const sub = orgNumber();
      const res = await importBody(
        JSON.stringify([{ organisasjonsnummer: sub, navn: 'FORELDRELØS', overordnetEnhet: orgNumber() }]),
        'application/json',
      );
      await expectRefused(res, { status: 400 });
      expect(await prisma.organization.count({ where: { orgNumber: sub } })).toBe(0);
    });

    it.each([
      ['an object that is not a page', '{"navn":"x"}', 'application/json'],
      ['an empty array', '[]', 'application/json'],
      ['a CSV without the organisasjonsnummer column', 'navn;orgnr\nA;1\n', 'text/csv'],
      ['a CSV with broken quoting', 'organisasjonsnummer,navn\n"974761076,"A\n', 'text/csv'],
    ])('refuses %s with 400 problem+json, and stores nothing', async (_label, body, type) => {
      const res = await expectUnchanged(
        () => prisma.organization.count(),
        () => importBody(body, type),
      );
      await expectRefused(res, { status: 400 });
    });
  });

  describe('names wherever an organisation is shown', () => {
    it('OrganizationNamesService reads the register first, then service owners, in the asked language', async () => {
      const owner = await registerOwner(t);
      const names = t.app.get(OrganizationNamesService);
      expect(await names.nameOf(owner.orgNumber, 'en')).toBe(`Agency ${owner.orgcode}`);
      await put(owner.orgNumber, { name: { nb: 'Registernavn', en: 'Register name' } });
      expect(await names.nameOf(owner.orgNumber, 'en')).toBe('Register name');
      expect(await names.nameOf(owner.orgNumber, 'nn')).toBe('Registernavn');
      expect(await names.nameOf(orgNumber(), 'nb')).toBeUndefined();
    });

    it('access-list members carry the name from the register (null when unknown)', async () => {
      const owner = await registerOwner(t);
      const auth = await bearer(t, { org: owner.orgNumber, scope: ACCESS_LIST_WRITE });
      const bank = orgNumber();
      const unknown = orgNumber();
      await put(bank, { name: { nb: 'DNB BANK ASA' }, organizationForm: 'ASA' });
      const list = uniqueCode('list-');
      const created = await fetch(`${t.url}${LISTS}/${owner.orgcode}/${list}`, {
        method: 'PUT',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Banker' }),
      });
      expect(created.status).toBe(201);
      const added = await fetch(`${t.url}${LISTS}/${owner.orgcode}/${list}/members`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          data: [
            `urn:altinn:organization:identifier-no:${bank}`,
            `urn:altinn:organization:identifier-no:${unknown}`,
          ],
        }),
      });
      expect(added.status).toBe(200);
      const page = (await added.json()) as {
        data: { identifiers: Record<string, string>; name: string | null }[];
      };
      const byNumber = new Map(
        page.data.map((m) => [m.identifiers['urn:altinn:organization:identifier-no'], m.name]),
      );
      expect(byNumber.get(bank)).toBe('DNB BANK ASA');
      expect(byNumber.get(unknown)).toBeNull();

      const read = await fetch(`${t.url}${LISTS}/${owner.orgcode}/${list}/members`, {
        headers: { authorization: auth },
      });
      expect(read.status).toBe(200);
      expect(((await read.json()) as typeof page).data.find((m) => m.name === 'DNB BANK ASA')).toBeDefined();
    });

    it('adds access-list members from a CSV upload (header skipped), answering with their names', async () => {
      const owner = await registerOwner(t);
      const auth = await bearer(t, { org: owner.orgNumber, scope: ACCESS_LIST_WRITE });
      const bank = orgNumber();
      const other = orgNumber();
      await put(bank, { name: { nb: 'SPAREBANKEN TEST' } });
      const list = uniqueCode('csv-');
      await fetch(`${t.url}${LISTS}/${owner.orgcode}/${list}`, {
        method: 'PUT',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'CSV' }),
      });
      const upload = (body: string, type = 'text/csv', token = auth) =>
        fetch(`${t.url}${LISTS}/${owner.orgcode}/${list}/members/csv`, {
          method: 'POST',
          headers: { authorization: token, 'content-type': type },
          body,
        });
      const spaced = `${other.slice(0, 3)} ${other.slice(3, 6)} ${other.slice(6)}`;
      const ok = await upload(`organisasjonsnummer;navn\n${bank};SPAREBANKEN TEST\n"${spaced}";Annen\n`);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('etag')).toMatch(/^W\//);
      const page = (await ok.json()) as {
        data: { identifiers: Record<string, string>; name: string | null }[];
      };
      expect(page.data.map((m) => m.identifiers['urn:altinn:organization:identifier-no']).sort()).toEqual(
        [bank, other].sort(),
      );
      expect(page.data.find((m) => m.name === 'SPAREBANKEN TEST')).toBeDefined();

      const bad = await upload(`${orgNumber()}\n123456789\n`);
      const problem = await expectRefused(bad, { status: 400, field: '$.data[1]' });
      expect(problem.validationErrors?.flatMap((e) => e.paths)).toEqual(['$.data[1]']);
      expect(await prisma.accessListMember.count({ where: { list: { identifier: list } } })).toBe(2);

      await expectRefused(await upload('[]', 'application/json'), { status: 415, code: 'STD-00415' });
      const reader = await bearer(t, {
        org: owner.orgNumber,
        scope: 'altinn:resourceregistry/accesslist.read',
      });
      await expectRefused(await upload(`${orgNumber()}\n`, 'text/csv', reader), {
        status: 403,
        code: 'AUTH-00403',
      });
      expect(await prisma.accessListMember.count({ where: { list: { identifier: list } } })).toBe(2);
    });

    it('a role for the main unit counts for its sub-units (a sub-unit may be the from of a consent)', async () => {
      const owners = t.app.get(OwnersService);
      const main = orgNumber();
      const sub = orgNumber();
      const stranger = orgNumber();
      await put(main, { name: { nb: 'HOVED AS' } });
      await put(sub, { name: { nb: 'HOVED AS AVD NORD' }, parentOrgNumber: main });
      await put(stranger, { name: { nb: 'ANNEN AS' } });
      const person = personNumber();
      await prisma.orgRole.create({ data: { orgNumber: main, personId: person, roles: ['DAGL'] } });
      expect(await owners.hasAnyRole(person, sub, ['DAGL', 'LEDE'])).toBe(true);
      expect(await owners.hasAnyRole(person, main, ['DAGL'])).toBe(true);
      expect(await owners.hasAnyRole(person, sub, ['REGN'])).toBe(false);
      expect(await owners.hasAnyRole(person, stranger, ['DAGL'])).toBe(false);
    });
  });
});
