import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AccessListsService } from '../../src/access-lists/access-lists.service.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { uniqueCode } from '../factories/orgs.js';
import { registerOwner, type TestOwner } from '../factories/registry.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/tokens.js';

/**
 * Issue #6: a list can hold 100 000 members loaded through the API (1 000 calls of 100, 8 in
 * flight), and the membership check still answers for any of them. Slow (tens of seconds), so it
 * runs on PostgreSQL only (TEST_DATABASE_URL), the production database; on the embedded PGlite the
 * same code paths are covered by access-lists.e2e-spec.ts.
 */
const onPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

const BASE = '/resourceregistry/api/v1/access-lists';
const ORG_URN = 'urn:altinn:organization:identifier-no:';
const WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2];
const TOTAL = Number(process.env.AL_LOAD_TOTAL ?? 100_000);
const PER_CALL = 100;
const IN_FLIGHT = 8;

/** `count` distinct checksum-valid org numbers from a random 8-digit starting point. */
function distinctOrgNumbers(count: number): string[] {
  const out: string[] = [];
  let base = 10_000_000 + Math.floor(Math.random() * 70_000_000);
  while (out.length < count) {
    base++;
    const digits = String(base);
    const r = [...digits].reduce((s, d, i) => s + Number(d) * WEIGHTS[i], 0) % 11;
    if (r === 1) continue; // no valid check digit for this base
    out.push(`${digits}${r === 0 ? 0 : 11 - r}`);
  }
  return out;
}

onPostgres('access lists with 100 000 members (PostgreSQL)', () => {
  let t: TestApp;
  let owner: TestOwner;
  let auth: string;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await registerOwner(t);
    auth = await bearer(t, { org: owner.orgNumber, scope: 'altinn:resourceregistry/accesslist.write' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('loads 100 000 members through 1 000 API calls of 100 without an error, and checks any of them', async () => {
    const prisma = t.app.get(PrismaService);
    const id = uniqueCode('big-');
    const created = await fetch(`${t.url}${BASE}/${owner.orgcode}/${id}`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: '100k members' }),
    });
    expect(created.status).toBe(201);

    const orgs = distinctOrgNumbers(TOTAL);
    const batches: string[][] = [];
    for (let i = 0; i < TOTAL; i += PER_CALL) batches.push(orgs.slice(i, i + PER_CALL));

    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        const res = await fetch(`${t.url}${BASE}/${owner.orgcode}/${id}/members`, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify({ data: batch.map((n) => ORG_URN + n) }),
        });
        const body = await res.text();
        if (res.status !== 200) failures.push(`${res.status} ${body.slice(0, 200)}`);
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const seconds = (Date.now() - started) / 1000;
    console.log(`loaded ${TOTAL} members in ${batches.length} calls in ${seconds.toFixed(1)} s`);

    expect(failures).toEqual([]);
    expect(
      await prisma.accessListMember.count({ where: { list: { owner: owner.orgcode, identifier: id } } }),
    ).toBe(TOTAL);
    const list = await prisma.accessList.findUnique({
      where: { owner_identifier: { owner: owner.orgcode, identifier: id } },
    });
    expect(list?.version).toBe(1 + batches.length);

    // The first page and the check work at this size.
    const page = await fetch(`${t.url}${BASE}/${owner.orgcode}/${id}/members`, {
      headers: { authorization: auth },
    });
    expect(page.status).toBe(200);
    const body = (await page.json()) as { links: { next: string | null }; data: Array<{ id: string }> };
    expect(body.data).toHaveLength(100);
    expect(body.data[0].id).toBe(ORG_URN + [...orgs].sort()[0]);
    expect(body.links.next).not.toBeNull();

    const resource = uniqueCode('res-');
    await prisma.resource.create({
      data: {
        identifier: resource,
        ownerOrgcode: owner.orgcode,
        ownerOrgNumber: owner.orgNumber,
        currentVersionId: randomUUID(),
      },
    });
    const conn = await fetch(`${t.url}${BASE}/${owner.orgcode}/${id}/resource-connections/${resource}`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ actionFilters: ['requestconsent'] }),
    });
    expect(conn.status).toBe(200);
    const service = t.app.get(AccessListsService);
    for (const org of [orgs[0], orgs[TOTAL / 2], orgs[TOTAL - 1]])
      expect(await service.isAllowed(org, resource, 'requestconsent')).toBe(true);
    expect(await service.isAllowed(orgs[TOTAL / 2], resource, 'consent')).toBe(false);
  }, 180_000);
});
