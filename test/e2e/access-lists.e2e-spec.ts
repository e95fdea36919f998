import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AccessListCheckService } from '../../src/access-lists/access-list-check.service.js';
import { AccessListConnectionsService } from '../../src/access-lists/access-list-connections.service.js';
import { AccessListMembersService } from '../../src/access-lists/access-list-members.service.js';
import { AccessListsService } from '../../src/access-lists/access-lists.service.js';
import { ChangeBus } from '../../src/common/events/change-bus.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { orgNumber, uniqueCode } from '../factories/orgs.js';
import { ADMIN_ORG, registerOwner, type TestOwner } from '../factories/registry.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/tokens.js';

/**
 * Issue #6: Altinn's access-list API (DESIGN §4.3) over real HTTP against a real database:
 * owner rules, members (≤100 per call, checksum-validated, all-or-nothing), paging pinned to the
 * list version, the ETag/304/412 matrix, concurrent writers, resource connections, audit rows and
 * the `isAllowed` check other contexts use.
 */

const BASE = '/resourceregistry/api/v1/access-lists';
const READ = 'altinn:resourceregistry/accesslist.read';
const WRITE = 'altinn:resourceregistry/accesslist.write';
const PROBLEM_JSON = 'application/problem+json';
const ORG_URN = 'urn:altinn:organization:identifier-no:';

interface Problem {
  status: number;
  code: string;
  detail: string;
  validationErrors?: Array<{ code: string; title: string; paths: string[] }>;
}
interface Member {
  id: string;
  since: string;
  identifiers: Record<string, string>;
}
interface Page<T> {
  links: { next: string | null };
  data: T[];
}
interface ListInfo {
  urn: string;
  identifier: string;
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
  resourceConnections?: Array<{ resourceIdentifier: string; actionFilters?: string[] | null }>;
}

/** An organisation number whose check digit is wrong (each 8-digit base has exactly one valid one). */
function badChecksum(valid: string): string {
  return valid.slice(0, 8) + String((Number(valid[8]) + 1) % 10);
}

function urns(n: number): string[] {
  return Array.from({ length: n }, () => ORG_URN + orgNumber());
}

describe('access lists (Altinn resource-registry API)', () => {
  let t: TestApp;
  let prisma: PrismaService;
  let a: TestOwner;
  let b: TestOwner;
  let writeA: string;
  let readA: string;
  let writeB: string;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    prisma = t.app.get(PrismaService);
    a = await registerOwner(t);
    b = await registerOwner(t);
    writeA = await bearer(t, { org: a.orgNumber, scope: WRITE });
    readA = await bearer(t, { org: a.orgNumber, scope: READ });
    writeB = await bearer(t, { org: b.orgNumber, scope: WRITE });
    admin = await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
  });

  afterAll(async () => {
    await t?.close();
  });

  function call(
    method: string,
    path: string,
    o: { auth?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.auth) headers.authorization = o.auth;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(path.startsWith('http') ? path : `${t.url}${path}`, {
      method,
      headers,
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
  }

  async function createList(owner: TestOwner, auth: string, id = uniqueCode('l')): Promise<string> {
    const res = await call('PUT', `${BASE}/${owner.orgcode}/${id}`, { auth, body: { name: `List ${id}` } });
    expect(res.status).toBe(201);
    return id;
  }

  function members(
    owner: TestOwner,
    id: string,
    method: string,
    data: unknown[],
    auth: string,
    headers?: Record<string, string>,
  ) {
    return call(method, `${BASE}/${owner.orgcode}/${id}/members`, { auth, body: { data }, headers });
  }

  /**
   * Resources are inserted directly (the resources context is tested on its own): a live or
   * deleted consent resource of the given owner.
   */
  async function insertResource(owner: TestOwner, o: { deleted?: boolean } = {}): Promise<string> {
    const identifier = uniqueCode('res-');
    await prisma.resource.create({
      data: {
        identifier,
        ownerOrgcode: owner.orgcode,
        ownerOrgNumber: owner.orgNumber,
        currentVersionId: randomUUID(),
        accessListMode: 'Enabled',
        deletedAt: o.deleted ? new Date() : null,
      },
    });
    return identifier;
  }

  async function listRow(owner: TestOwner, identifier: string) {
    return prisma.accessList.findUnique({
      where: { owner_identifier: { owner: owner.orgcode, identifier } },
    });
  }

  async function memberCount(owner: TestOwner, identifier: string): Promise<number> {
    return prisma.accessListMember.count({ where: { list: { owner: owner.orgcode, identifier } } });
  }

  async function expectProblem(res: Response, status: number, code?: string): Promise<Problem> {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain(PROBLEM_JSON);
    const body = (await res.json()) as Problem;
    expect(body.status).toBe(status);
    if (code) expect(body.code).toBe(code);
    return body;
  }

  describe('lists', () => {
    it('creates a list with 201 in Altinn shape with a weak ETag and Last-Modified, and reads it back', async () => {
      const id = uniqueCode('godkjente-');
      const res = await call('PUT', `${BASE}/${a.orgcode}/${id}`, {
        auth: writeA,
        body: { name: 'Godkjente banker', description: 'Banks allowed to request income consent' },
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('etag')).toBe('W/"1"');
      const lastModified = res.headers.get('last-modified');
      expect(lastModified).toMatch(/GMT$/);
      const created = (await res.json()) as ListInfo;
      expect(created).toEqual({
        urn: `urn:altinn:access-list:${a.orgcode}:${id}`,
        identifier: id,
        name: 'Godkjente banker',
        description: 'Banks allowed to request income consent',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(Number.isNaN(Date.parse(created.createdAt))).toBe(false);

      const got = await call('GET', `${BASE}/${a.orgcode}/${id}`, { auth: readA });
      expect(got.status).toBe(200);
      expect(got.headers.get('etag')).toBe('W/"1"');
      expect(got.headers.get('last-modified')).toBe(lastModified);
      expect(await got.json()).toEqual(created);
    });

    it('updates a list with 200 and a new version, while an identical PUT keeps the version', async () => {
      const id = await createList(a, writeA);
      const upd = await call('PUT', `${BASE}/${a.orgcode}/${id}`, {
        auth: writeA,
        body: { name: 'Renamed', description: 'x' },
      });
      expect(upd.status).toBe(200);
      expect(upd.headers.get('etag')).toBe('W/"2"');
      expect(((await upd.json()) as ListInfo).name).toBe('Renamed');

      const same = await call('PUT', `${BASE}/${a.orgcode}/${id}`, {
        auth: writeA,
        body: { name: 'Renamed', description: 'x' },
      });
      expect(same.status).toBe(200);
      expect(same.headers.get('etag')).toBe('W/"2"');

      // Description omitted → empty, as Altinn.
      const cleared = await call('PUT', `${BASE}/${a.orgcode}/${id}`, {
        auth: writeA,
        body: { name: 'Renamed' },
      });
      expect(((await cleared.json()) as ListInfo).description).toBe('');
      expect((await listRow(a, id))?.version).toBe(3);
    });

    it('refuses a missing name, unknown fields and a bad identifier with 400 and creates nothing', async () => {
      const id = uniqueCode('l');
      const noName = await expectProblem(
        await call('PUT', `${BASE}/${a.orgcode}/${id}`, { auth: writeA, body: { description: 'd' } }),
        400,
      );
      expect(noName.validationErrors?.[0].paths).toEqual(['$.name']);
      await expectProblem(
        await call('PUT', `${BASE}/${a.orgcode}/${id}`, { auth: writeA, body: { name: 'n', extra: 1 } }),
        400,
      );
      const bad = await expectProblem(
        await call('PUT', `${BASE}/${a.orgcode}/Bad%20Id`, { auth: writeA, body: { name: 'n' } }),
        400,
      );
      expect(bad.validationErrors?.[0].paths).toEqual(['identifier']);
      expect(await listRow(a, id)).toBeNull();
      expect(await prisma.accessList.count({ where: { owner: a.orgcode, identifier: 'Bad Id' } })).toBe(0);
    });

    it("pages the owner's lists 20 at a time in identifier order through links.next", async () => {
      const owner = await registerOwner(t);
      const auth = await bearer(t, { org: owner.orgNumber, scope: WRITE });
      const ids = Array.from({ length: 25 }, (_, i) => `list-${String(i).padStart(2, '0')}`);
      for (const id of [...ids].reverse()) await createList(owner, auth, id);

      const first = await call('GET', `${BASE}/${owner.orgcode}`, { auth });
      expect(first.status).toBe(200);
      const p1 = (await first.json()) as Page<ListInfo>;
      expect(p1.data.map((l) => l.identifier)).toEqual(ids.slice(0, 20));
      expect(p1.links.next).toMatch(new RegExp(`^${t.url}${BASE}/${owner.orgcode}\\?token=`));

      const p2 = (await (await call('GET', p1.links.next!, { auth })).json()) as Page<ListInfo>;
      expect(p2.data.map((l) => l.identifier)).toEqual(ids.slice(20));
      expect(p2.links.next).toBeNull();
    });

    it('includes resource connections filtered by resource, with action filters only when asked for', async () => {
      const res1 = await insertResource(a);
      const res2 = await insertResource(a);
      const id = await createList(a, writeA);
      await call('PUT', `${BASE}/${a.orgcode}/${id}/resource-connections/${res1}`, {
        auth: writeA,
        body: { actionFilters: ['requestconsent'] },
      });
      await call('PUT', `${BASE}/${a.orgcode}/${id}/resource-connections/${res2}`, {
        auth: writeA,
        body: {},
      });

      const withActions = (await (
        await call('GET', `${BASE}/${a.orgcode}?include=resource-connections&resource=${res1}`, {
          auth: readA,
        })
      ).json()) as Page<ListInfo>;
      const mine = withActions.data.find((l) => l.identifier === id)!;
      expect(mine.resourceConnections).toEqual([
        {
          resourceIdentifier: res1,
          actionFilters: ['requestconsent'],
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      ]);
      // Lists without a connection to that resource still appear, with none.
      expect(
        withActions.data.filter((l) => l.identifier !== id).every((l) => l.resourceConnections?.length === 0),
      ).toBe(true);

      const plain = (await (
        await call('GET', `${BASE}/${a.orgcode}?include=resources&resource=${res2}`, { auth: readA })
      ).json()) as Page<ListInfo>;
      expect(plain.data.find((l) => l.identifier === id)!.resourceConnections).toEqual([
        { resourceIdentifier: res2, createdAt: expect.any(String), updatedAt: expect.any(String) },
      ]);

      const noInclude = (await (
        await call('GET', `${BASE}/${a.orgcode}`, { auth: readA })
      ).json()) as Page<ListInfo>;
      expect(noInclude.data.find((l) => l.identifier === id)).not.toHaveProperty('resourceConnections');

      const single = (await (
        await call('GET', `${BASE}/${a.orgcode}/${id}?include=resource-actions`, { auth: readA })
      ).json()) as ListInfo;
      expect(single.resourceConnections?.map((c) => [c.resourceIdentifier, c.actionFilters]).sort()).toEqual(
        [
          [res1, ['requestconsent']],
          [res2, null],
        ].sort(),
      );
    });

    it('needs a resource filter with include on the list of lists (400), refuses include=members (501) and unknown includes (400)', async () => {
      const missing = await expectProblem(
        await call('GET', `${BASE}/${a.orgcode}?include=resources`, { auth: readA }),
        400,
        'STD-00000',
      );
      expect(missing.validationErrors?.[0]).toMatchObject({ code: 'RR.VLD-00002', paths: ['resource'] });
      await expectProblem(
        await call('GET', `${BASE}/${a.orgcode}?include=members`, { auth: readA }),
        501,
        'AL-00006',
      );
      await expectProblem(
        await call('GET', `${BASE}/${a.orgcode}?include=everything&resource=x`, { auth: readA }),
        400,
      );
      await expectProblem(await call('GET', `${BASE}/${a.orgcode}?foo=bar`, { auth: readA }), 400);
    });

    it('deletes a list with 200 and the deleted list, its members and connections with it, then answers 204', async () => {
      const resource = await insertResource(a);
      const id = await createList(a, writeA);
      await members(a, id, 'POST', urns(3), writeA);
      await call('PUT', `${BASE}/${a.orgcode}/${id}/resource-connections/${resource}`, {
        auth: writeA,
        body: {},
      });
      const listId = (await listRow(a, id))!.id;

      const del = await call('DELETE', `${BASE}/${a.orgcode}/${id}`, { auth: writeA });
      expect(del.status).toBe(200);
      expect(((await del.json()) as ListInfo).identifier).toBe(id);
      expect(await listRow(a, id)).toBeNull();
      expect(await prisma.accessListMember.count({ where: { listId } })).toBe(0);
      expect(await prisma.accessListConnection.count({ where: { listId } })).toBe(0);

      const again = await call('DELETE', `${BASE}/${a.orgcode}/${id}`, { auth: writeA });
      expect(again.status).toBe(204);
      expect(await again.text()).toBe('');
      await expectProblem(await call('GET', `${BASE}/${a.orgcode}/${id}`, { auth: readA }), 404, 'AL-00001');
    });

    it('writes one audit row per change with actor, owner and before/after, and none for a no-op', async () => {
      const resource = await insertResource(a);
      const id = await createList(a, writeA);
      const [m1, m2] = urns(2);
      await call('PUT', `${BASE}/${a.orgcode}/${id}`, { auth: writeA, body: { name: 'Audited' } });
      await call('PUT', `${BASE}/${a.orgcode}/${id}`, { auth: writeA, body: { name: 'Audited' } }); // no-op
      await members(a, id, 'POST', [m1, m2], writeA);
      await members(a, id, 'POST', [m1], writeA); // no-op
      await members(a, id, 'DELETE', [m2], writeA);
      await members(a, id, 'PUT', [m2], writeA);
      await call('PUT', `${BASE}/${a.orgcode}/${id}/resource-connections/${resource}`, {
        auth: writeA,
        body: { actionFilters: ['consent'] },
      });
      await call('DELETE', `${BASE}/${a.orgcode}/${id}/resource-connections/${resource}`, { auth: writeA });
      await call('DELETE', `${BASE}/${a.orgcode}/${id}`, { auth: writeA });

      const rows = await prisma.auditEntry.findMany({
        where: { objectType: 'access-list', objectId: `urn:altinn:access-list:${a.orgcode}:${id}` },
        orderBy: { id: 'asc' },
      });
      expect(rows.map((r) => r.action)).toEqual([
        'access-list.create',
        'access-list.update',
        'access-list.members.add',
        'access-list.members.remove',
        'access-list.members.replace',
        'access-list.connection.create',
        'access-list.connection.delete',
        'access-list.delete',
      ]);
      expect(rows.every((r) => r.actorOrg === a.orgNumber && r.ownerOrg === a.orgNumber)).toBe(true);
      expect(rows[2].after).toMatchObject({
        added: [m1, m2].map((u) => u.slice(ORG_URN.length)).sort(),
        removedCount: 0,
      });
      expect(rows[4].after).toMatchObject({
        added: [m2.slice(ORG_URN.length)],
        removed: [m1.slice(ORG_URN.length)],
        removedCount: 1,
      });
      expect(rows[1].before).toMatchObject({ name: expect.stringMatching(/^List /) });
      expect(rows[1].after).toMatchObject({ name: 'Audited' });
    });
  });

  describe('who may act (DESIGN §3)', () => {
    it("refuses another owner's path with 403 for reads and writes and changes nothing", async () => {
      const id = await createList(a, writeA);
      await expectProblem(await call('GET', `${BASE}/${a.orgcode}`, { auth: writeB }), 403, 'AL-00002');
      await expectProblem(await call('GET', `${BASE}/${a.orgcode}/${id}`, { auth: writeB }), 403, 'AL-00002');
      await expectProblem(
        await call('GET', `${BASE}/${a.orgcode}/${id}/members`, { auth: writeB }),
        403,
        'AL-00002',
      );
      await expectProblem(
        await call('PUT', `${BASE}/${a.orgcode}/${id}`, { auth: writeB, body: { name: 'hijack' } }),
        403,
        'AL-00002',
      );
      await expectProblem(await members(a, id, 'POST', urns(1), writeB), 403, 'AL-00002');
      await expectProblem(
        await call('DELETE', `${BASE}/${a.orgcode}/${id}`, { auth: writeB }),
        403,
        'AL-00002',
      );
      const row = await listRow(a, id);
      expect(row).toMatchObject({ version: 1, name: `List ${id}` });
      expect(await memberCount(a, id)).toBe(0);
    });

    it('answers 404 for an identifier that exists only under another owner', async () => {
      const id = await createList(b, writeB);
      await expectProblem(await call('GET', `${BASE}/${a.orgcode}/${id}`, { auth: readA }), 404, 'AL-00001');
      await expectProblem(await members(a, id, 'POST', urns(1), writeA), 404, 'AL-00001');
      expect(await memberCount(b, id)).toBe(0);
    });

    it('answers 403 for an unknown owner code, so owner codes do not leak', async () => {
      await expectProblem(await call('GET', `${BASE}/nosuchowner`, { auth: readA }), 403, 'AL-00002');
      await expectProblem(
        await call('PUT', `${BASE}/nosuchowner/x`, { auth: writeA, body: { name: 'n' } }),
        403,
        'AL-00002',
      );
      expect(await prisma.accessList.count({ where: { owner: 'nosuchowner' } })).toBe(0);
    });

    it('lets the platform operator read any owner (unknown: empty page / 404) but never write', async () => {
      const id = await createList(a, writeA);
      expect((await call('GET', `${BASE}/${a.orgcode}/${id}`, { auth: admin })).status).toBe(200);
      expect((await call('GET', `${BASE}/${a.orgcode}/${id}/members`, { auth: admin })).status).toBe(200);
      const unknown = await call('GET', `${BASE}/nosuchowner`, { auth: admin });
      expect(unknown.status).toBe(200);
      expect(await unknown.json()).toEqual({ links: { next: null }, data: [] });
      await expectProblem(await call('GET', `${BASE}/nosuchowner/x`, { auth: admin }), 404);
      await expectProblem(
        await call('PUT', `${BASE}/${a.orgcode}/${id}`, { auth: admin, body: { name: 'op' } }),
        403,
      );
      const adminWrite = await bearer(t, { org: ADMIN_ORG, scope: ['consentgw:admin', WRITE] });
      await expectProblem(
        await call('PUT', `${BASE}/${a.orgcode}/${id}`, { auth: adminWrite, body: { name: 'op' } }),
        403,
        'AL-00002',
      );
      expect((await listRow(a, id))?.name).toBe(`List ${id}`);
    });

    it('needs a token (401), an access-list scope for reads and the write scope for writes (403)', async () => {
      const id = await createList(a, writeA);
      const noToken = await call('GET', `${BASE}/${a.orgcode}`);
      expect(noToken.status).toBe(401);
      const wrongScope = await bearer(t, {
        org: a.orgNumber,
        scope: 'altinn:resourceregistry/resource.write',
      });
      await expectProblem(await call('GET', `${BASE}/${a.orgcode}/${id}`, { auth: wrongScope }), 403);
      await expectProblem(
        await call('PUT', `${BASE}/${a.orgcode}/${id}`, { auth: readA, body: { name: 'ro' } }),
        403,
      );
      await expectProblem(await members(a, id, 'POST', urns(1), readA), 403);
      expect(await listRow(a, id)).toMatchObject({ version: 1 });
      expect(await memberCount(a, id)).toBe(0);
    });
  });

  describe('members', () => {
    it('adds members idempotently with since and identifiers, storing duplicates in one call once', async () => {
      const id = await createList(a, writeA);
      const [u1, u2] = urns(2);
      const res = await members(a, id, 'POST', [u1, u2, u1], writeA);
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe('W/"2"');
      const page = (await res.json()) as Page<Member>;
      expect(page.links.next).toBeNull();
      expect(page.data).toHaveLength(2);
      const one = page.data.find((m) => m.id === u1)!;
      expect(one).toEqual({
        id: u1,
        since: expect.any(String),
        identifiers: { 'urn:altinn:organization:identifier-no': u1.slice(ORG_URN.length) },
        name: null, // not in the organisation register
      });

      const again = await members(a, id, 'POST', [u1], writeA);
      expect(again.status).toBe(200);
      expect(again.headers.get('etag')).toBe('W/"2"');
      const same = (await again.json()) as Page<Member>;
      expect(same.data.find((m) => m.id === u1)!.since).toBe(one.since);
      expect(await memberCount(a, id)).toBe(2);
    });

    it('replaces all members with PUT and removes members with DELETE, answering the remaining members', async () => {
      const id = await createList(a, writeA);
      const [u1, u2, u3, u4] = urns(4);
      await members(a, id, 'POST', [u1, u2], writeA);
      const put = await members(a, id, 'PUT', [u3, u4], writeA);
      expect(put.status).toBe(200);
      expect(((await put.json()) as Page<Member>).data.map((m) => m.id).sort()).toEqual([u3, u4].sort());

      const del = await members(a, id, 'DELETE', [u3, u1], writeA);
      expect(del.status).toBe(200);
      expect(((await del.json()) as Page<Member>).data.map((m) => m.id)).toEqual([u4]);

      const emptied = await members(a, id, 'PUT', [], writeA);
      expect(((await emptied.json()) as Page<Member>).data).toEqual([]);
      expect(await memberCount(a, id)).toBe(0);
    });

    it('refuses 101 members with 400 (Altinn codes) and stores nothing', async () => {
      const id = await createList(a, writeA);
      const many = urns(101);
      const post = await expectProblem(await members(a, id, 'POST', many, writeA), 400, 'STD-00000');
      expect(post.validationErrors).toEqual([
        {
          code: 'RR.VLD-00001',
          title: 'Cannot add or remove more than 100 members at a time.',
          paths: ['$.data'],
        },
      ]);
      const put = await expectProblem(await members(a, id, 'PUT', many, writeA), 400, 'STD-00000');
      expect(put.validationErrors?.[0].code).toBe('RR.VLD-00000');
      const del = await expectProblem(await members(a, id, 'DELETE', many, writeA), 400, 'STD-00000');
      expect(del.validationErrors?.[0].code).toBe('RR.VLD-00001');
      expect(await memberCount(a, id)).toBe(0);
      expect((await listRow(a, id))?.version).toBe(1);
    });

    it('accepts exactly 100 members in one call', async () => {
      const id = await createList(a, writeA);
      const res = await members(a, id, 'POST', urns(100), writeA);
      expect(res.status).toBe(200);
      const page = (await res.json()) as Page<Member>;
      expect(page.data).toHaveLength(100);
      expect(page.links.next).toBeNull();
      expect(await memberCount(a, id)).toBe(100);
    });

    it('refuses a call with one bad checksum among 100 with 400 naming it, and stores none of them', async () => {
      const id = await createList(a, writeA);
      const data = urns(100);
      const bad = badChecksum(data[57].slice(ORG_URN.length));
      data[57] = ORG_URN + bad;
      const problem = await expectProblem(await members(a, id, 'POST', data, writeA), 400, 'STD-00000');
      expect(problem.validationErrors).toHaveLength(1);
      expect(problem.validationErrors![0].code).toBe('RR.VLD-00004');
      expect(problem.validationErrors![0].paths).toEqual(['$.data[57]']);
      expect(problem.validationErrors![0].title).toContain(bad);
      expect(problem.detail).toContain('nothing was changed');
      expect(await memberCount(a, id)).toBe(0);
      expect((await listRow(a, id))?.version).toBe(1);
    });

    it('names every entry that is not an organisation party URN (person, other shapes, non-strings) and stores nothing', async () => {
      const id = await createList(a, writeA);
      const [ok] = urns(1);
      const data = [
        ok,
        'urn:altinn:person:identifier-no:02013299997',
        orgNumber(),
        ` ${ok}`,
        `${ORG_URN}12345678`,
        `${ORG_URN}000000000`,
        42,
        null,
      ];
      const problem = await expectProblem(await members(a, id, 'PUT', data, writeA), 400, 'STD-00000');
      expect(problem.validationErrors!.map((e) => e.paths[0])).toEqual(
        [1, 2, 3, 4, 5, 6, 7].map((i) => `$.data[${i}]`),
      );
      expect(problem.validationErrors!.every((e) => e.code === 'RR.VLD-00004')).toBe(true);
      await expectProblem(
        await call('POST', `${BASE}/${a.orgcode}/${id}/members`, { auth: writeA, body: { data: 'x' } }),
        400,
      );
      await expectProblem(
        await call('POST', `${BASE}/${a.orgcode}/${id}/members`, { auth: writeA, body: {} }),
        400,
      );
      expect(await memberCount(a, id)).toBe(0);
    });

    it('refuses member writes and list PUTs without a JSON body with 400 and changes nothing', async () => {
      const id = await createList(a, writeA);
      for (const method of ['PUT', 'POST', 'DELETE'])
        await expectProblem(await call(method, `${BASE}/${a.orgcode}/${id}/members`, { auth: writeA }), 400);
      await expectProblem(await call('PUT', `${BASE}/${a.orgcode}/${id}`, { auth: writeA }), 400);
      const notJson = await fetch(`${t.url}${BASE}/${a.orgcode}/${id}/members`, {
        method: 'POST',
        headers: { authorization: writeA, 'content-type': 'application/json' },
        body: '{"data": [',
      });
      await expectProblem(notJson, 400);
      expect(await listRow(a, id)).toMatchObject({ version: 1, name: `List ${id}` });
      expect(await memberCount(a, id)).toBe(0);
    });

    it('answers 404 for the members of a list that does not exist', async () => {
      await expectProblem(
        await call('GET', `${BASE}/${a.orgcode}/nosuchlist/members`, { auth: readA }),
        404,
        'AL-00001',
      );
      await expectProblem(await members(a, 'nosuchlist', 'POST', urns(1), writeA), 404, 'AL-00001');
    });
  });

  describe('paging members', () => {
    it('pages through 250 members 100 at a time in org-number order', async () => {
      const id = await createList(a, writeA);
      const all = urns(250);
      for (let i = 0; i < 250; i += 100)
        expect((await members(a, id, 'POST', all.slice(i, i + 100), writeA)).status).toBe(200);

      const seen: string[] = [];
      const sizes: number[] = [];
      let next: string | null = `${BASE}/${a.orgcode}/${id}/members`;
      while (next) {
        const res = await call('GET', next, { auth: readA });
        expect(res.status).toBe(200);
        expect(res.headers.get('etag')).toBe('W/"4"');
        const page = (await res.json()) as Page<Member>;
        sizes.push(page.data.length);
        seen.push(...page.data.map((m) => m.id));
        next = page.links.next;
      }
      expect(sizes).toEqual([100, 100, 50]);
      expect(seen).toEqual([...all].sort());
    });

    it('answers 412 when the list changes while a client pages through it', async () => {
      const id = await createList(a, writeA);
      await members(a, id, 'POST', urns(100), writeA);
      await members(a, id, 'POST', urns(50), writeA);
      const first = (await (
        await call('GET', `${BASE}/${a.orgcode}/${id}/members`, { auth: readA })
      ).json()) as Page<Member>;
      expect(first.links.next).not.toBeNull();

      await members(a, id, 'POST', urns(1), writeA);
      await expectProblem(await call('GET', first.links.next!, { auth: readA }), 412, 'AL-00004');

      // A list rename changes the version too (as Altinn).
      const fresh = (await (
        await call('GET', `${BASE}/${a.orgcode}/${id}/members`, { auth: readA })
      ).json()) as Page<Member>;
      await call('PUT', `${BASE}/${a.orgcode}/${id}`, {
        auth: writeA,
        body: { name: 'renamed while paging' },
      });
      await expectProblem(await call('GET', fresh.links.next!, { auth: readA }), 412, 'AL-00004');
    });

    it('refuses tampered and foreign continuation tokens with 400', async () => {
      const x = await createList(a, writeA);
      const y = await createList(a, writeA);
      await members(a, x, 'POST', urns(100), writeA);
      await members(a, x, 'POST', urns(5), writeA);
      await members(a, y, 'POST', urns(100), writeA);
      await members(a, y, 'POST', urns(5), writeA);
      const page = (await (
        await call('GET', `${BASE}/${a.orgcode}/${x}/members`, { auth: readA })
      ).json()) as Page<Member>;
      const token = new URL(page.links.next!).searchParams.get('token')!;

      // Tampered: change the position inside the payload (JSON, then a 16-byte MAC), keep the MAC.
      const raw = Buffer.from(token, 'base64url');
      const position = JSON.parse(raw.subarray(0, -16).toString('utf8')) as [number, string];
      position[1] = '000000000';
      const forged = Buffer.concat([Buffer.from(JSON.stringify(position)), raw.subarray(-16)]).toString(
        'base64url',
      );
      const tampered = await expectProblem(
        await call('GET', `${BASE}/${a.orgcode}/${x}/members?token=${forged}`, { auth: readA }),
        400,
      );
      expect(tampered.validationErrors?.[0].paths).toEqual(['token']);
      await expectProblem(
        await call('GET', `${BASE}/${a.orgcode}/${x}/members?token=garbage`, { auth: readA }),
        400,
      );

      // Foreign: another list's token, a members token on connections, a list token on the list of lists.
      await expectProblem(
        await call('GET', `${BASE}/${a.orgcode}/${y}/members?token=${token}`, { auth: readA }),
        400,
      );
      await expectProblem(
        await call('GET', `${BASE}/${a.orgcode}/${x}/resource-connections?token=${token}`, { auth: readA }),
        400,
      );
      await expectProblem(await call('GET', `${BASE}/${a.orgcode}?token=${token}`, { auth: readA }), 400);
    });
  });

  describe('conditional requests (ETag / Last-Modified)', () => {
    async function headersOf(id: string): Promise<{ etag: string; lastModified: string }> {
      const res = await call('GET', `${BASE}/${a.orgcode}/${id}`, { auth: readA });
      return { etag: res.headers.get('etag')!, lastModified: res.headers.get('last-modified')! };
    }
    const dayAgo = () => new Date(Date.now() - 86_400_000).toUTCString();
    const inAMinute = () => new Date(Date.now() + 60_000).toUTCString();

    it('answers an unchanged read with 304 (If-None-Match, *, If-Modified-Since) and a changed one with 200', async () => {
      const id = await createList(a, writeA);
      const { etag, lastModified } = await headersOf(id);
      for (const path of [
        `${BASE}/${a.orgcode}/${id}`,
        `${BASE}/${a.orgcode}/${id}/members`,
        `${BASE}/${a.orgcode}/${id}/resource-connections`,
      ]) {
        const nm = await call('GET', path, { auth: readA, headers: { 'if-none-match': etag } });
        expect(nm.status).toBe(304);
        expect(nm.headers.get('etag')).toBe(etag);
        expect(await nm.text()).toBe('');
        expect((await call('GET', path, { auth: readA, headers: { 'if-none-match': '*' } })).status).toBe(
          304,
        );
        expect(
          (await call('GET', path, { auth: readA, headers: { 'if-modified-since': lastModified } })).status,
        ).toBe(304);
        expect(
          (await call('GET', path, { auth: readA, headers: { 'if-none-match': 'W/"999", W/"0"' } })).status,
        ).toBe(200);
        expect(
          (await call('GET', path, { auth: readA, headers: { 'if-modified-since': dayAgo() } })).status,
        ).toBe(200);
      }
      // If-None-Match wins over If-Modified-Since.
      expect(
        (
          await call('GET', `${BASE}/${a.orgcode}/${id}`, {
            auth: readA,
            headers: { 'if-none-match': 'W/"999"', 'if-modified-since': inAMinute() },
          })
        ).status,
      ).toBe(200);
      await members(a, id, 'POST', urns(1), writeA);
      const changed = await call('GET', `${BASE}/${a.orgcode}/${id}`, {
        auth: readA,
        headers: { 'if-none-match': etag },
      });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).toBe('W/"2"');
    });

    it('answers 412 to reads whose If-Match or If-Unmodified-Since does not hold', async () => {
      const id = await createList(a, writeA);
      const { lastModified } = await headersOf(id);
      await expectProblem(
        await call('GET', `${BASE}/${a.orgcode}/${id}`, { auth: readA, headers: { 'if-match': 'W/"7"' } }),
        412,
        'AL-00003',
      );
      await expectProblem(
        await call('GET', `${BASE}/${a.orgcode}/${id}`, {
          auth: readA,
          headers: { 'if-unmodified-since': dayAgo() },
        }),
        412,
      );
      expect(
        (await call('GET', `${BASE}/${a.orgcode}/${id}`, { auth: readA, headers: { 'if-match': 'W/"1"' } }))
          .status,
      ).toBe(200);
      expect(
        (
          await call('GET', `${BASE}/${a.orgcode}/${id}`, {
            auth: readA,
            headers: { 'if-unmodified-since': lastModified },
          })
        ).status,
      ).toBe(200);
    });

    it('applies If-Match to writes: current → 200, stale → 412 with nothing changed', async () => {
      const id = await createList(a, writeA);
      const ok = await call('PUT', `${BASE}/${a.orgcode}/${id}`, {
        auth: writeA,
        headers: { 'if-match': 'W/"1"' },
        body: { name: 'v2' },
      });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('etag')).toBe('W/"2"');

      await expectProblem(
        await call('PUT', `${BASE}/${a.orgcode}/${id}`, {
          auth: writeA,
          headers: { 'if-match': 'W/"1"' },
          body: { name: 'lost' },
        }),
        412,
        'AL-00003',
      );
      await expectProblem(await members(a, id, 'POST', urns(3), writeA, { 'if-match': 'W/"1"' }), 412);
      await expectProblem(await members(a, id, 'PUT', urns(3), writeA, { 'if-match': '"1"' }), 412);
      await expectProblem(
        await call('DELETE', `${BASE}/${a.orgcode}/${id}`, {
          auth: writeA,
          headers: { 'if-match': 'W/"1"' },
        }),
        412,
      );
      const resource = await insertResource(a);
      await expectProblem(
        await call('PUT', `${BASE}/${a.orgcode}/${id}/resource-connections/${resource}`, {
          auth: writeA,
          headers: { 'if-match': 'W/"1"' },
          body: {},
        }),
        412,
      );
      const row = await listRow(a, id);
      expect(row).toMatchObject({ name: 'v2', version: 2 });
      expect(await memberCount(a, id)).toBe(0);
      expect(await prisma.accessListConnection.count({ where: { listId: row!.id } })).toBe(0);

      expect((await members(a, id, 'POST', urns(1), writeA, { 'if-match': 'W/"2"' })).status).toBe(200);
      expect(
        (
          await call('DELETE', `${BASE}/${a.orgcode}/${id}`, {
            auth: writeA,
            headers: { 'if-match': 'W/"3"' },
          })
        ).status,
      ).toBe(200);
    });

    it('creates only with If-None-Match: * and updates only with If-Match', async () => {
      const put = (id: string, headers: Record<string, string>, name: string) =>
        call('PUT', `${BASE}/${a.orgcode}/${id}`, { auth: writeA, headers, body: { name } });
      const id = uniqueCode('l');
      expect((await put(id, { 'if-none-match': '*' }, 'n')).status).toBe(201);
      await expectProblem(await put(id, { 'if-none-match': '*' }, 'twice'), 412);
      await expectProblem(await put(id, { 'if-none-match': 'W/"1"' }, 'same tag'), 412);
      expect((await listRow(a, id))?.name).toBe('n');

      const absent = uniqueCode('l');
      await expectProblem(await put(absent, { 'if-match': '*' }, 'n'), 412);
      await expectProblem(await put(absent, { 'if-match': 'W/"1"' }, 'n'), 412);
      expect(await listRow(a, absent)).toBeNull();
      expect((await put(id, { 'if-match': '*' }, 'm')).status).toBe(200);
    });

    it('applies If-Unmodified-Since and If-Modified-Since to writes as Altinn (412 when they do not hold)', async () => {
      const id = await createList(a, writeA);
      const { lastModified } = await headersOf(id);
      await expectProblem(
        await members(a, id, 'POST', urns(1), writeA, { 'if-unmodified-since': dayAgo() }),
        412,
      );
      await expectProblem(
        await members(a, id, 'POST', urns(1), writeA, { 'if-modified-since': lastModified }),
        412,
      );
      expect(await memberCount(a, id)).toBe(0);
      expect(
        (await members(a, id, 'POST', urns(1), writeA, { 'if-unmodified-since': lastModified })).status,
      ).toBe(200);
      // An unparsable date is ignored (RFC 9110).
      expect(
        (await members(a, id, 'POST', urns(1), writeA, { 'if-unmodified-since': 'yesterday' })).status,
      ).toBe(200);
    });

    it('refuses a malformed entity-tag header with 400', async () => {
      const id = await createList(a, writeA);
      const p = await expectProblem(
        await call('GET', `${BASE}/${a.orgcode}/${id}`, { auth: readA, headers: { 'if-none-match': 'W/1' } }),
        400,
      );
      expect(p.validationErrors?.[0].paths).toEqual(['If-None-Match']);
      await expectProblem(await members(a, id, 'POST', urns(1), writeA, { 'if-match': 'nonsense' }), 400);
      expect(await memberCount(a, id)).toBe(0);
    });
  });

  describe('concurrent writers', () => {
    it('lets exactly one of several writes with the same If-Match win; the others get 412', async () => {
      const id = await createList(a, writeA);
      const batches = Array.from({ length: 6 }, () => urns(20));
      const results = await Promise.all(
        batches.map((data) => members(a, id, 'POST', data, writeA, { 'if-match': 'W/"1"' })),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 412, 412, 412, 412, 412]);
      const winner = batches[results.findIndex((r) => r.status === 200)];
      const stored = await prisma.accessListMember.findMany({
        where: { list: { owner: a.orgcode, identifier: id } },
        select: { orgNumber: true },
      });
      expect(stored.map((m) => m.orgNumber).sort()).toEqual(
        winner.map((u) => u.slice(ORG_URN.length)).sort(),
      );
      expect((await listRow(a, id))?.version).toBe(2);
    });

    it('lets exactly one of several creates with If-None-Match: * win', async () => {
      const id = uniqueCode('l');
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          call('PUT', `${BASE}/${a.orgcode}/${id}`, {
            auth: writeA,
            headers: { 'if-none-match': '*' },
            body: { name: `racer ${i}` },
          }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 412, 412, 412, 412]);
      expect(await prisma.accessList.count({ where: { owner: a.orgcode, identifier: id } })).toBe(1);
    });

    it('applies unconditional concurrent additions without losing any member', async () => {
      const id = await createList(a, writeA);
      const batches = Array.from({ length: 5 }, () => urns(10));
      const results = await Promise.all(batches.map((data) => members(a, id, 'POST', data, writeA)));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(await memberCount(a, id)).toBe(50);
      expect((await listRow(a, id))?.version).toBe(6);
    });
  });

  describe('resource connections', () => {
    it('connects an owned resource (200), updates its filters, keeps the version when identical, lists and removes it', async () => {
      const resource = await insertResource(a);
      const id = await createList(a, writeA);
      const path = `${BASE}/${a.orgcode}/${id}/resource-connections/${resource}`;
      const put = await call('PUT', path, { auth: writeA, body: { actionFilters: ['requestconsent'] } });
      expect(put.status).toBe(200);
      expect(put.headers.get('etag')).toBe('W/"2"');
      expect(await put.json()).toEqual({
        resourceIdentifier: resource,
        actionFilters: ['requestconsent'],
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });

      const upd = await call('PUT', path, {
        auth: writeA,
        body: { actionFilters: ['requestconsent', 'consent'] },
      });
      expect(upd.headers.get('etag')).toBe('W/"3"');
      const same = await call('PUT', path, {
        auth: writeA,
        body: { actionFilters: ['requestconsent', 'consent'] },
      });
      expect(same.status).toBe(200);
      expect(same.headers.get('etag')).toBe('W/"3"');

      const list = await call('GET', `${BASE}/${a.orgcode}/${id}/resource-connections`, { auth: readA });
      expect(list.status).toBe(200);
      expect(
        ((await list.json()) as Page<{ actionFilters: string[] }>).data.map((c) => c.actionFilters),
      ).toEqual([['requestconsent', 'consent']]);

      const del = await call('DELETE', path, { auth: writeA });
      expect(del.status).toBe(200);
      expect(((await del.json()) as { resourceIdentifier: string }).resourceIdentifier).toBe(resource);
      expect((await call('DELETE', path, { auth: writeA })).status).toBe(204);
    });

    it("refuses another owner's, an unknown and a deleted resource with 403 and connects nothing", async () => {
      const id = await createList(a, writeA);
      const foreign = await insertResource(b);
      const gone = await insertResource(a, { deleted: true });
      for (const resource of [foreign, gone, 'no-such-resource']) {
        await expectProblem(
          await call('PUT', `${BASE}/${a.orgcode}/${id}/resource-connections/${resource}`, {
            auth: writeA,
            body: { actionFilters: ['consent'] },
          }),
          403,
          'AL-00005',
        );
      }
      await expectProblem(
        await call('DELETE', `${BASE}/${a.orgcode}/${id}/resource-connections/${foreign}`, { auth: writeA }),
        403,
        'AL-00005',
      );
      const row = await listRow(a, id);
      expect(row?.version).toBe(1);
      expect(await prisma.accessListConnection.count({ where: { listId: row!.id } })).toBe(0);
    });

    it('refuses malformed action filters and resource identifiers with 400', async () => {
      const resource = await insertResource(a);
      const id = await createList(a, writeA);
      await expectProblem(
        await call('PUT', `${BASE}/${a.orgcode}/${id}/resource-connections/${resource}`, {
          auth: writeA,
          body: { actionFilters: 'consent' },
        }),
        400,
      );
      await expectProblem(
        await call('PUT', `${BASE}/${a.orgcode}/${id}/resource-connections/${resource}`, {
          auth: writeA,
          body: { actionFilters: ['has space'] },
        }),
        400,
      );
      await expectProblem(
        await call('PUT', `${BASE}/${a.orgcode}/${id}/resource-connections/UPPER`, {
          auth: writeA,
          body: {},
        }),
        400,
      );
      expect(await prisma.accessListConnection.count({ where: { listId: (await listRow(a, id))!.id } })).toBe(
        0,
      );
    });

    it('pages 100 connections per page', async () => {
      const id = await createList(a, writeA);
      const listId = (await listRow(a, id))!.id;
      const resources: string[] = [];
      for (let i = 0; i < 105; i++) resources.push(`${id}-r${String(i).padStart(3, '0')}`);
      await prisma.resource.createMany({
        data: resources.map((identifier) => ({
          identifier,
          ownerOrgcode: a.orgcode,
          ownerOrgNumber: a.orgNumber,
          currentVersionId: randomUUID(),
        })),
      });
      await prisma.accessListConnection.createMany({
        data: resources.map((resourceIdentifier) => ({ listId, resourceIdentifier, actionFilters: [] })),
      });
      const p1 = (await (
        await call('GET', `${BASE}/${a.orgcode}/${id}/resource-connections`, { auth: readA })
      ).json()) as Page<{ resourceIdentifier: string; actionFilters: null }>;
      expect(p1.data).toHaveLength(100);
      expect(p1.data[0].actionFilters).toBeNull();
      const p2 = (await (await call('GET', p1.links.next!, { auth: readA })).json()) as Page<{
        resourceIdentifier: string;
      }>;
      expect([...p1.data, ...p2.data].map((c) => c.resourceIdentifier)).toEqual(resources);
      expect(p2.links.next).toBeNull();
    });
  });

  describe('changes from another context (access-request approval)', () => {
    it("adds members inside the caller's transaction with an audit row, by identifier or URN", async () => {
      const service = t.app.get(AccessListMembersService);
      const id = await createList(a, writeA);
      const [o1, o2] = [orgNumber(), orgNumber()];
      const result = await prisma.$transaction((tx) =>
        service.addMembersInTransaction(tx, a.orgNumber, id, [o1], {
          org: a.orgNumber,
          person: '02013299997',
        }),
      );
      service.committed(result.listId);
      expect(result).toMatchObject({ version: 2, changed: true });
      const again = await prisma.$transaction((tx) =>
        service.addMembersInTransaction(
          tx,
          a.orgNumber,
          `urn:altinn:access-list:${a.orgcode}:${id}`,
          [o1, o2],
          { org: a.orgNumber },
        ),
      );
      expect(again).toMatchObject({ version: 3, changed: true });
      expect(await memberCount(a, id)).toBe(2);
      const audit = await prisma.auditEntry.findMany({
        where: { objectId: `urn:altinn:access-list:${a.orgcode}:${id}`, action: 'access-list.members.add' },
        orderBy: { id: 'asc' },
      });
      expect(audit.map((r) => [r.actorPerson, (r.after as { added: string[] }).added])).toEqual([
        ['02013299997', [o1]],
        [null, [o2]],
      ]);
    });

    it("refuses another owner's list URN (403) and an unknown list (404), and rolls back with the caller", async () => {
      const service = t.app.get(AccessListMembersService);
      const bList = await createList(b, writeB);
      await expect(
        prisma.$transaction((tx) =>
          service.addMembersInTransaction(
            tx,
            a.orgNumber,
            `urn:altinn:access-list:${b.orgcode}:${bList}`,
            [orgNumber()],
            {},
          ),
        ),
      ).rejects.toMatchObject({ status: 403 });
      await expect(
        prisma.$transaction((tx) =>
          service.addMembersInTransaction(tx, a.orgNumber, 'no-such-list', [orgNumber()], {}),
        ),
      ).rejects.toMatchObject({ status: 404 });
      expect(await memberCount(b, bList)).toBe(0);

      const id = await createList(a, writeA);
      await expect(
        prisma.$transaction(async (tx) => {
          await service.addMembersInTransaction(tx, a.orgNumber, id, [orgNumber()], {});
          throw new Error('caller failed later');
        }),
      ).rejects.toThrow('caller failed later');
      expect(await memberCount(a, id)).toBe(0);
      expect((await listRow(a, id))?.version).toBe(1);
    });
    it("connects a list to an owned resource inside the caller's transaction once, refusing a foreign resource", async () => {
      const connections = t.app.get(AccessListConnectionsService);
      const resource = await insertResource(a);
      const foreign = await insertResource(b);
      const id = await createList(a, writeA);
      const first = await prisma.$transaction((tx) =>
        connections.ensureConnectedInTransaction(tx, a.orgNumber, id, resource, { org: a.orgNumber }),
      );
      connections.committed(first.listId);
      expect(first).toMatchObject({ version: 2, changed: true });
      const again = await prisma.$transaction((tx) =>
        connections.ensureConnectedInTransaction(tx, a.orgNumber, id, resource, { org: a.orgNumber }),
      );
      expect(again).toMatchObject({ version: 2, changed: false });
      await expect(
        prisma.$transaction((tx) =>
          connections.ensureConnectedInTransaction(tx, a.orgNumber, id, foreign, { org: a.orgNumber }),
        ),
      ).rejects.toMatchObject({ status: 403, code: 'AL-00005' });
      const conns = await prisma.accessListConnection.findMany({ where: { listId: first.listId } });
      expect(conns.map((c) => [c.resourceIdentifier, c.actionFilters])).toEqual([[resource, []]]);
      expect(
        await prisma.auditEntry.count({
          where: {
            objectId: `urn:altinn:access-list:${a.orgcode}:${id}`,
            action: 'access-list.connection.create',
          },
        }),
      ).toBe(1);
    });
  });

  describe('isAllowed (consent service and gateway)', () => {
    it('follows membership, connection, action filters and ownership, and drops cached answers on every change', async () => {
      const service = t.app.get(AccessListsService);
      const resource = await insertResource(a);
      const id = await createList(a, writeA);
      const org = orgNumber();
      const conn = `${BASE}/${a.orgcode}/${id}/resource-connections/${resource}`;

      expect(await service.isAllowed(org, resource, 'requestconsent')).toBe(false);
      expect(service.isAllowedCached(org, resource, 'requestconsent')).toBe(false);

      await members(a, id, 'POST', [ORG_URN + org], writeA);
      expect(service.isAllowedCached(org, resource, 'requestconsent')).toBeUndefined();
      expect(await service.isAllowed(org, resource, 'requestconsent')).toBe(false); // not connected yet

      await call('PUT', conn, { auth: writeA, body: { actionFilters: ['requestconsent'] } });
      expect(await service.isAllowed(org, resource, 'requestconsent')).toBe(true);
      expect(service.isAllowedCached(org, resource, 'requestconsent')).toBe(true);
      expect(await service.isAllowed(org, resource, 'consent')).toBe(false);
      expect(await service.isAllowed(orgNumber(), resource, 'requestconsent')).toBe(false);

      await call('PUT', conn, { auth: writeA, body: { actionFilters: [] } }); // every action
      expect(await service.isAllowed(org, resource, 'consent')).toBe(true);

      await members(a, id, 'DELETE', [ORG_URN + org], writeA);
      expect(await service.isAllowed(org, resource, 'consent')).toBe(false);

      await members(a, id, 'POST', [ORG_URN + org], writeA);
      expect(await service.isAllowed(org, resource, 'consent')).toBe(true);
      await call('DELETE', conn, { auth: writeA });
      expect(await service.isAllowed(org, resource, 'consent')).toBe(false);

      await call('PUT', conn, { auth: writeA, body: {} });
      expect(await service.isAllowed(org, resource, 'consent')).toBe(true);
      await call('DELETE', `${BASE}/${a.orgcode}/${id}`, { auth: writeA });
      expect(await service.isAllowed(org, resource, 'consent')).toBe(false);

      expect(await service.isAllowed('123456789', resource, 'consent')).toBe(false);
    });

    it('ignores a list of another owner connected to the resource, and a deleted resource', async () => {
      const service = t.app.get(AccessListsService);
      const resource = await insertResource(a);
      const org = orgNumber();
      // Only possible by writing the tables directly (the API refuses it): B's list pointing at A's resource.
      const foreignList = await createList(b, writeB);
      await members(b, foreignList, 'POST', [ORG_URN + org], writeB);
      const bListId = (await listRow(b, foreignList))!.id;
      await prisma.accessListConnection.create({
        data: { listId: bListId, resourceIdentifier: resource, actionFilters: [] },
      });
      expect(await service.isAllowed(org, resource, 'consent')).toBe(false);

      const own = await createList(a, writeA);
      await members(a, own, 'POST', [ORG_URN + org], writeA);
      await call('PUT', `${BASE}/${a.orgcode}/${own}/resource-connections/${resource}`, {
        auth: writeA,
        body: {},
      });
      expect(await service.isAllowed(org, resource, 'consent')).toBe(true);
      await prisma.resource.update({ where: { identifier: resource }, data: { deletedAt: new Date() } });
      // The database already says no; the cached yes goes when the resources context announces the change.
      expect(await t.app.get(AccessListCheckService).isAllowedUncached(org, resource, 'consent')).toBe(false);
      t.app.get(ChangeBus).emitLocal('resource', resource);
      expect(await service.isAllowed(org, resource, 'consent')).toBe(false);
    });
  });
});
