/**
 * `PUT /resourceregistry/api/v1/resource/{id}` as a replacement that is safe to build from a
 * GET (DESIGN §11, red-team finding RT3-7): read-only members, a stale `versionId` included, are
 * ignored; an omitted `accessListMode` keeps the current mode (an Enabled list never opens by
 * omission); `accessListMode: null` is refused naming it, and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { createResource, registerOwner, resourceBody, type TestOwner } from '../factories/registry.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectRefused } from '../helpers/refusals.js';

const BASE = '/resourceregistry/api/v1/resource';
type Resource = Record<string, unknown> & { identifier: string; versionId: string; version: number };

let t: TestApp;
let prisma: PrismaService;
let owner: TestOwner;

beforeAll(async () => {
  t = await createTestApp();
  prisma = t.app.get(PrismaService);
  owner = await registerOwner(t);
});

afterAll(async () => {
  await t?.close();
});

async function send(method: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${t.url}${path}`, {
    method,
    headers: { authorization: owner.auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function put(id: string, body: unknown): Promise<Resource> {
  const res = await send('PUT', `${BASE}/${id}`, body);
  if (res.status !== 200) throw new Error(`PUT: ${res.status} ${await res.text()}`);
  return (await res.json()) as Resource;
}

async function get(id: string): Promise<Resource> {
  return (await (await fetch(`${t.url}${BASE}/${id}`)).json()) as Resource;
}

/** Everything a refused write must leave untouched. */
async function snapshot(id: string) {
  return {
    row: await prisma.resource.findUnique({ where: { identifier: id } }),
    versions: await prisma.resourceVersion.count({ where: { resourceIdentifier: id } }),
    audit: await prisma.auditEntry.count({ where: { objectId: id } }),
  };
}

describe('read-only members on PUT are accepted and ignored (DESIGN §11)', () => {
  it('a GET body edited and sent back after someone else changed the resource is applied, with a new version', async () => {
    const v1 = (await createResource(t, owner)) as Resource;
    const v2 = await put(v1.identifier, { ...v1, isOneTimeConsent: true });
    expect(v2.version).toBe(2);
    // The first reader still holds v1 (its versionId, version, createdAt, updatedAt) and edits it.
    const v3 = await put(v1.identifier, { ...v1, delegable: false });
    expect(v3).toMatchObject({ version: 3, delegable: false, isOneTimeConsent: false });
    expect(v3.versionId).not.toBe(v1.versionId);
    expect(v3.versionId).not.toBe(v2.versionId);
    expect(await get(v1.identifier)).toEqual(v3);
  });

  it('any value in a read-only member is ignored, not validated: a made-up versionId changes nothing by itself', async () => {
    const v1 = (await createResource(t, owner)) as Resource;
    const before = await snapshot(v1.identifier);
    const same = await put(v1.identifier, {
      ...v1,
      versionId: 'not-a-uuid',
      version: 99,
      createdAt: 'yesterday',
      updatedAt: null,
    });
    expect(same).toEqual(v1);
    expect(await snapshot(v1.identifier)).toEqual(before);
  });
});

describe('accessListMode on PUT fails safe (RT3-7)', () => {
  it('omitted on a PUT of an Enabled resource keeps it Enabled (the resource does not open to every consumer)', async () => {
    const v1 = (await createResource(t, owner, { accessListMode: 'Enabled' })) as Resource;
    const { accessListMode: _dropped, ...withoutMode } = v1;
    const v2 = await put(v1.identifier, { ...withoutMode, delegable: false });
    expect(v2).toMatchObject({ version: 2, delegable: false, accessListMode: 'Enabled' });
    // The column the gateway and the consent API filter on, not only the stored body.
    const row = await prisma.resource.findUniqueOrThrow({ where: { identifier: v1.identifier } });
    expect(row.accessListMode).toBe('Enabled');
  });

  it('omitted on a PUT of a Disabled resource keeps it Disabled', async () => {
    const v1 = (await createResource(t, owner, { accessListMode: 'Disabled' })) as Resource;
    const { accessListMode: _dropped, ...withoutMode } = v1;
    expect(await put(v1.identifier, { ...withoutMode, delegable: false })).toMatchObject({
      accessListMode: 'Disabled',
    });
  });

  it('sent explicitly, it still switches the list off and on', async () => {
    const v1 = (await createResource(t, owner, { accessListMode: 'Enabled' })) as Resource;
    expect(await put(v1.identifier, { ...v1, accessListMode: 'Disabled' })).toMatchObject({
      accessListMode: 'Disabled',
    });
    expect(await put(v1.identifier, { ...v1, accessListMode: 'Enabled' })).toMatchObject({
      accessListMode: 'Enabled',
    });
  });

  it('null on PUT is 400 naming accessListMode, and nothing changes', async () => {
    const v1 = (await createResource(t, owner, { accessListMode: 'Enabled' })) as Resource;
    const before = await snapshot(v1.identifier);
    const res = await send('PUT', `${BASE}/${v1.identifier}`, { ...v1, accessListMode: null });
    const problem = await expectRefused(res, {
      status: 400,
      code: 'STD.VLD-00001',
      field: '$.accessListMode',
    });
    expect(problem.validationErrors).toEqual([
      {
        code: 'STD.VLD-00001',
        title: 'accessListMode must be one of the following values: Disabled, Enabled',
        paths: ['$.accessListMode'],
      },
    ]);
    expect(await snapshot(v1.identifier)).toEqual(before);
  });

  it('on POST, omitted is Disabled (Altinn’s default) and null is 400 with nothing stored', async () => {
    const omitted = (await createResource(t, owner, { accessListMode: undefined })) as Resource;
    expect(omitted.accessListMode).toBe('Disabled');
    const body = resourceBody(owner, { accessListMode: null });
    const res = await send('POST', BASE, body);
    await expectRefused(res, { status: 400, code: 'STD.VLD-00001', field: '$.accessListMode' });
    expect(await snapshot(body.identifier as string)).toEqual({ row: null, versions: 0, audit: 0 });
  });
});
