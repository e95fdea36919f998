import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { orgNumber } from '../factories/orgs.js';
import { ADMIN_ORG, createResource, registerOwner, type TestOwner } from '../factories/registry.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectRefused } from '../helpers/refusals.js';
import { bearer } from '../helpers/tokens.js';

interface AuditItem {
  id: string;
  time: string;
  actor: { org: string | null; client: string | null; person: string | null };
  action: string;
  objectType: string;
  objectId: string;
  ownerOrg: string | null;
  before: unknown;
  after: unknown;
}
interface AuditPage {
  links: { next: string | null };
  data: AuditItem[];
}

describe('audit trail API', () => {
  let t: TestApp;
  let prisma: PrismaService;
  let admin: string;
  let ownerA: TestOwner;
  let ownerB: TestOwner;
  let resourceA: { identifier: string; versionId: string };

  beforeAll(async () => {
    t = await createTestApp();
    prisma = t.app.get(PrismaService);
    admin = await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
    ownerA = await registerOwner(t);
    ownerB = await registerOwner(t);
    resourceA = await createResource(t, ownerA);
    await createResource(t, ownerB);
  });

  afterAll(async () => {
    await t?.close();
  });

  async function get(query: string, auth: string | undefined): Promise<Response> {
    return fetch(`${t.url}/admin/v1/audit${query}`, { headers: auth ? { authorization: auth } : {} });
  }

  async function all(query: string, auth: string): Promise<AuditItem[]> {
    const out: AuditItem[] = [];
    let next: string | null = `/admin/v1/audit${query}`;
    while (next) {
      const res = await fetch(`${t.url}${next}`, { headers: { authorization: auth } });
      expect(res.status).toBe(200);
      const page = (await res.json()) as AuditPage;
      out.push(...page.data);
      next = page.links.next;
    }
    return out;
  }

  it('shows the platform operator every entry, with actor, before and after', async () => {
    const items = await all('', admin);
    const owners = items.filter((i) => i.objectType === 'owner').map((i) => i.objectId);
    expect(owners).toEqual(expect.arrayContaining([ownerA.orgcode, ownerB.orgcode]));
    const created = items.find((i) => i.action === 'resource.create' && i.objectId === resourceA.identifier);
    expect(created).toMatchObject({
      objectType: 'resource',
      ownerOrg: ownerA.orgNumber,
      actor: { org: ownerA.orgNumber, client: expect.any(String), person: null },
      before: null,
      after: expect.objectContaining({ versionId: resourceA.versionId }),
    });
    expect(created!.id).toMatch(/^[0-9]+$/);
    expect(new Date(created!.time).toISOString()).toBe(created!.time);
    const ids = items.map((i) => BigInt(i.id));
    expect([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(ids);
  });

  it('shows an owner only the entries about its own objects', async () => {
    const asA = await bearer(t, { org: ownerA.orgNumber, scope: 'altinn:resourceregistry/resource.write' });
    const items = await all('', asA);
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.ownerOrg === ownerA.orgNumber)).toBe(true);
    expect(items.map((i) => i.action)).toEqual(expect.arrayContaining(['owner.create', 'resource.create']));

    // Asking for B's objects by filter does not widen what A sees.
    const probing = await all(`?objectType=owner&objectId=${ownerB.orgcode}`, asA);
    expect(probing).toEqual([]);

    // Any valid token may ask, and sees nothing when its org owns nothing.
    const stranger = await bearer(t, { org: orgNumber(), scope: '' });
    const res = await get('', stranger);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ links: { next: null }, data: [] });
  });

  it('filters by objectType, objectId, action and time', async () => {
    const byObject = await all(`?objectType=resource&objectId=${resourceA.identifier}`, admin);
    expect(byObject.map((i) => i.action)).toEqual(['resource.create']);
    const byAction = await all('?action=owner.create', admin);
    expect(byAction.length).toBeGreaterThanOrEqual(2);
    expect(byAction.every((i) => i.action === 'owner.create')).toBe(true);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await all(`?from=${encodeURIComponent(future)}`, admin)).toEqual([]);
    const past = new Date(Date.now() - 3_600_000).toISOString();
    expect(await all(`?to=${encodeURIComponent(past)}`, admin)).toEqual([]);
    const window = await all(
      `?from=${encodeURIComponent(past)}&to=${encodeURIComponent(future)}&objectType=owner`,
      admin,
    );
    expect(window.length).toBeGreaterThanOrEqual(2);
  });

  it('pages 100 at a time with an opaque continuation token that keeps the filters', async () => {
    const org = orgNumber();
    await prisma.auditEntry.createMany({
      data: Array.from({ length: 230 }, (_, i) => ({
        actorOrg: org,
        action: 'test.bulk',
        objectType: 'bulk',
        objectId: `item-${i}`,
        ownerOrg: org,
      })),
    });
    const first = (await (await get('?action=test.bulk', admin)).json()) as AuditPage;
    expect(first.data).toHaveLength(100);
    expect(first.links.next).toMatch(/^\/admin\/v1\/audit\?action=test\.bulk&continuationToken=/);
    const items = await all('?action=test.bulk', admin);
    expect(items).toHaveLength(230);
    expect(new Set(items.map((i) => i.objectId)).size).toBe(230);
    expect(items[0].objectId).toBe('item-0');
  });

  it.each([
    ['a forged continuation token', '?continuationToken=abc', '$.continuationToken'],
    ['a from that is not a date', '?from=yesterday', '$.from'],
    ['a to that is not a date', '?to=2026-13-45', '$.to'],
    ['from after to', '?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', '$.from'],
    ['an unknown query parameter', '?owner=skd', '$.owner'],
    ['a malformed objectType', '?objectType=DROP%20TABLE', '$.objectType'],
  ])('refuses %s with 400', async (_name, query, path) => {
    const res = await get(query, admin);
    await expectRefused(res, { status: 400, field: path });
  });

  it('refuses a request without a token with 401', async () => {
    const res = await get('', undefined);
    await expectRefused(res, { status: 401, code: 'AUTH-00401' });
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('writes no audit row for a change that fails', async () => {
    const before = await prisma.auditEntry.count();
    const res = await fetch(`${t.url}/resourceregistry/api/v1/resource/${resourceA.identifier}`, {
      method: 'DELETE',
      headers: { authorization: ownerB.auth },
    });
    await expectRefused(res, { status: 403 });
    expect(await prisma.auditEntry.count()).toBe(before);
  });
});
