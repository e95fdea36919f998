import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ProblemDetails } from '../../src/common/errors/problem-details.js';
import { ChangeBus, type ChangeEvent } from '../../src/common/events/change-bus.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { ResourcesService } from '../../src/resources/resources.service.js';
import { orgNumber, uniqueCode } from '../factories/orgs.js';
import { createResource, registerOwner, resourceBody, type TestOwner } from '../factories/registry.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectRefused } from '../helpers/refusals.js';
import { bearer } from '../helpers/tokens.js';

const BASE = '/resourceregistry/api/v1/resource';

describe('consent resources', () => {
  let t: TestApp;
  let prisma: PrismaService;
  let ownerA: TestOwner;
  let ownerB: TestOwner;

  beforeAll(async () => {
    t = await createTestApp();
    prisma = t.app.get(PrismaService);
    ownerA = await registerOwner(t);
    ownerB = await registerOwner(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  function send(method: string, path: string, auth: string | undefined, body?: unknown): Promise<Response> {
    return fetch(`${t.url}${path}`, {
      method,
      headers: {
        ...(auth ? { authorization: auth } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  }

  /** Everything a failed write must leave untouched. */
  async function snapshot() {
    return {
      resources: await prisma.resource.count(),
      versions: await prisma.resourceVersion.count(),
      audit: await prisma.auditEntry.count(),
    };
  }

  describe('create and read', () => {
    it('creates a resource with 201 and Location, fills in defaults and owner details, and reads it publicly', async () => {
      const body = resourceBody(ownerA, {
        resourceType: undefined,
        consentTemplate: undefined,
        isOneTimeConsent: undefined,
        accessListMode: undefined,
      });
      const res = await send('POST', BASE, ownerA.auth, body);
      expect(res.status).toBe(201);
      const id = body.identifier as string;
      expect(res.headers.get('location')).toBe(`${t.url}${BASE}/${id}`);
      const created = (await res.json()) as Record<string, unknown>;
      expect(created).toMatchObject({
        identifier: id,
        title: body.title,
        description: body.description,
        hasCompetentAuthority: {
          orgcode: ownerA.orgcode,
          organization: ownerA.orgNumber,
          name: expect.any(Object),
        },
        resourceType: 'Consent',
        consentTemplate: 'default',
        consentText: body.consentText,
        consentMetadata: { inntektsaar: { optional: false } },
        isOneTimeConsent: false,
        accessListMode: 'Disabled',
        delegable: true,
        availableForType: ['PrivatePerson', 'LegalEntityEnterprise'],
        consentRoles: ['DAGL', 'LEDE'],
        resourceReferences: body.resourceReferences,
        contactPoints: body.contactPoints,
        version: 1,
      });
      expect(created.versionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof created.createdAt).toBe('string');
      expect(typeof created.updatedAt).toBe('string');

      const read = await send('GET', `${BASE}/${id}`, undefined);
      expect(read.status).toBe(200);
      expect(await read.json()).toEqual(created);
    });

    it('lists resources publicly, all of them or one owner with ?owner=', async () => {
      const a = await createResource(t, ownerA);
      const b = await createResource(t, ownerB);

      const all = await send('GET', `${BASE}/resourcelist`, undefined);
      expect(all.status).toBe(200);
      const allIds = ((await all.json()) as { identifier: string }[]).map((r) => r.identifier);
      expect(allIds).toEqual(expect.arrayContaining([a.identifier, b.identifier]));

      // A token does not narrow the list: the answer never depends on who asks.
      const withToken = await send('GET', `${BASE}/resourcelist`, ownerA.auth);
      expect(((await withToken.json()) as unknown[]).length).toBe(allIds.length);

      const onlyB = await send('GET', `${BASE}/resourcelist?owner=${ownerB.orgcode}`, undefined);
      const onlyBIds = (
        (await onlyB.json()) as { identifier: string; hasCompetentAuthority: { orgcode: string } }[]
      ).map((r) => r.hasCompetentAuthority.orgcode);
      expect(onlyBIds.length).toBeGreaterThan(0);
      expect(new Set(onlyBIds)).toEqual(new Set([ownerB.orgcode]));

      const bad = await send('GET', `${BASE}/resourcelist?owner=NOT_A_CODE`, undefined);
      await expectRefused(bad, { status: 400, code: 'STD.VLD-00001', field: '$.owner' });
      const unknownParam = await send('GET', `${BASE}/resourcelist?colour=blue`, undefined);
      await expectRefused(unknownParam, { status: 400, code: 'STD.VLD-00002', field: '$.colour' });
    });

    it('answers 404 for a resource that does not exist and 400 for a malformed identifier', async () => {
      const res = await send('GET', `${BASE}/no-such-resource`, undefined);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'RR-00001', status: 404 });
      const bad = await send('GET', `${BASE}/Bad.Id`, undefined);
      await expectRefused(bad, { status: 400, code: 'STD.VLD-00001', field: '$.id' });
    });

    it('refuses a duplicate identifier with 409 and stores nothing', async () => {
      const existing = await createResource(t, ownerA);
      const before = await snapshot();
      const res = await send(
        'POST',
        BASE,
        ownerA.auth,
        resourceBody(ownerA, { identifier: existing.identifier }),
      );
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ code: 'RR-00002' });
      expect(await snapshot()).toEqual(before);
    });

    it('writes the audit row in the same transaction and publishes a resource change', async () => {
      const events: ChangeEvent[] = [];
      t.app.get(ChangeBus).subscribe((e) => events.push(e));
      const created = await createResource(t, ownerA);
      const rows = await prisma.auditEntry.findMany({
        where: { objectType: 'resource', objectId: created.identifier },
      });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        action: 'resource.create',
        ownerOrg: ownerA.orgNumber,
        actorOrg: ownerA.orgNumber,
      });
      expect((rows[0].after as { versionId: string }).versionId).toBe(created.versionId);
      expect(events).toContainEqual(expect.objectContaining({ topic: 'resource', id: created.identifier }));
    });
  });

  describe('versions', () => {
    it('gives every change a new versionId and keeps the old version readable', async () => {
      const v1 = await createResource(t, ownerA);
      const changed = resourceBody(ownerA, {
        identifier: v1.identifier,
        title: { nb: 'Ny tittel', nn: 'Ny tittel', en: 'New title' },
      });
      const res = await send('PUT', `${BASE}/${v1.identifier}`, ownerA.auth, changed);
      expect(res.status).toBe(200);
      const v2 = (await res.json()) as {
        versionId: string;
        version: number;
        title: { en: string };
        createdAt: string;
      };
      expect(v2.versionId).not.toBe(v1.versionId);
      expect(v2.version).toBe(2);
      expect(v2.title.en).toBe('New title');
      expect(v2.createdAt).toBe(v1.createdAt);

      const old = await send('GET', `${BASE}/${v1.identifier}/versions/${v1.versionId}`, undefined);
      expect(old.status).toBe(200);
      expect(await old.json()).toMatchObject({
        versionId: v1.versionId,
        version: 1,
        title: { en: 'Income information' },
      });

      const list = await send('GET', `${BASE}/${v1.identifier}/versions`, undefined);
      expect(list.status).toBe(200);
      expect(await list.json()).toEqual([
        expect.objectContaining({ versionId: v1.versionId, version: 1, current: false }),
        expect.objectContaining({ versionId: v2.versionId, version: 2, current: true }),
      ]);

      const audit = await prisma.auditEntry.findFirst({
        where: { objectId: v1.identifier, action: 'resource.update' },
      });
      expect((audit?.before as { versionId: string }).versionId).toBe(v1.versionId);
      expect((audit?.after as { versionId: string }).versionId).toBe(v2.versionId);
    });

    it('treats an identical PUT (even a round-tripped GET body) as no change', async () => {
      const v1 = await createResource(t, ownerA);
      const before = await snapshot();
      const res = await send('PUT', `${BASE}/${v1.identifier}`, ownerA.auth, v1);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { versionId: string }).versionId).toBe(v1.versionId);
      expect(await snapshot()).toEqual(before);
    });

    it('answers 404 for an unknown version and for a version of another resource', async () => {
      const a = await createResource(t, ownerA);
      const b = await createResource(t, ownerA);
      expect((await send('GET', `${BASE}/${a.identifier}/versions/${randomUUID()}`, undefined)).status).toBe(
        404,
      );
      expect((await send('GET', `${BASE}/${a.identifier}/versions/${b.versionId}`, undefined)).status).toBe(
        404,
      );
      await expectRefused(await send('GET', `${BASE}/${a.identifier}/versions/not-a-uuid`, undefined), {
        status: 400,
        code: 'STD.VLD-00001',
        field: '$.versionId',
      });
      expect((await send('GET', `${BASE}/no-such-resource/versions`, undefined)).status).toBe(404);
    });

    it('answers 404 for a PUT to a resource that does not exist and stores nothing', async () => {
      const before = await snapshot();
      const body = resourceBody(ownerA);
      const res = await send('PUT', `${BASE}/${body.identifier as string}`, ownerA.auth, body);
      await expectRefused(res, { status: 404, code: 'RR-00001' });
      expect(await snapshot()).toEqual(before);
    });

    it('refuses renaming through PUT (identifier in body differs from the path)', async () => {
      const a = await createResource(t, ownerA);
      const before = await snapshot();
      const res = await send('PUT', `${BASE}/${a.identifier}`, ownerA.auth, {
        ...a,
        identifier: 'some-other-id',
      });
      expect(res.status).toBe(400);
      const problem = (await res.json()) as ProblemDetails;
      expect(problem.validationErrors?.flatMap((e) => e.paths)).toEqual(['$.identifier']);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('delete', () => {
    it('refuses to delete while a consent request references the resource, then soft-deletes', async () => {
      const r = await createResource(t, ownerA);
      const requestId = randomUUID();
      await prisma.consentRequest.create({
        data: {
          id: requestId,
          fromParty: 'urn:altinn:person:identifier-no:02013299997',
          toOrg: orgNumber(),
          validTo: new Date(Date.now() + 86_400_000),
          consentRights: [],
          resources: [r.identifier],
          resourceVersions: { [r.identifier]: r.versionId },
          templateId: 'default',
          templateVersion: 1,
          redirectUrl: 'https://example.no/callback',
        },
      });
      const before = await snapshot();
      const refused = await send('DELETE', `${BASE}/${r.identifier}`, ownerA.auth);
      expect(refused.status).toBe(409);
      const problem = (await refused.json()) as ProblemDetails;
      expect(problem.code).toBe('RR-00004');
      expect(problem.detail).toContain('consent request');
      expect(await snapshot()).toEqual(before);
      expect(
        (await prisma.resource.findUnique({ where: { identifier: r.identifier } }))?.deletedAt,
      ).toBeNull();

      await prisma.consentRequest.delete({ where: { id: requestId } });
      const deleted = await send('DELETE', `${BASE}/${r.identifier}`, ownerA.auth);
      expect(deleted.status).toBe(204);

      expect((await send('GET', `${BASE}/${r.identifier}`, undefined)).status).toBe(404);
      const list = (await (await send('GET', `${BASE}/resourcelist`, undefined)).json()) as {
        identifier: string;
      }[];
      expect(list.map((x) => x.identifier)).not.toContain(r.identifier);
      // Old versions are kept forever: consents point at them.
      const old = await send('GET', `${BASE}/${r.identifier}/versions/${r.versionId}`, undefined);
      expect(old.status).toBe(200);
      expect(await old.json()).toMatchObject({ versionId: r.versionId, deletedAt: expect.any(String) });
      expect(
        await prisma.auditEntry.count({ where: { objectId: r.identifier, action: 'resource.delete' } }),
      ).toBe(1);

      // Deleted identifiers are never reused, and a second delete or an update is 404.
      const again = await send('POST', BASE, ownerA.auth, resourceBody(ownerA, { identifier: r.identifier }));
      expect(again.status).toBe(409);
      expect(((await again.json()) as ProblemDetails).detail).toContain('deleted');
      expect((await send('DELETE', `${BASE}/${r.identifier}`, ownerA.auth)).status).toBe(404);
      expect(
        (
          await send(
            'PUT',
            `${BASE}/${r.identifier}`,
            ownerA.auth,
            resourceBody(ownerA, { identifier: r.identifier }),
          )
        ).status,
      ).toBe(404);
    });
  });

  describe('who may write', () => {
    it("refuses owner B updating owner A's resource with 403, and nothing changes", async () => {
      const r = await createResource(t, ownerA);
      const before = await snapshot();
      const res = await send('PUT', `${BASE}/${r.identifier}`, ownerB.auth, { ...r, isOneTimeConsent: true });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'RR-00003' });
      expect(await snapshot()).toEqual(before);
      const now = (await (await send('GET', `${BASE}/${r.identifier}`, undefined)).json()) as {
        versionId: string;
      };
      expect(now.versionId).toBe(r.versionId);
    });

    it("refuses owner B updating owner A's resource even when B names its own org code", async () => {
      const r = await createResource(t, ownerA);
      const before = await snapshot();
      const res = await send('PUT', `${BASE}/${r.identifier}`, ownerB.auth, {
        ...resourceBody(ownerB, { identifier: r.identifier }),
      });
      await expectRefused(res, { status: 403, code: 'RR-00003' });
      expect(await snapshot()).toEqual(before);
    });

    it('refuses owner A handing its resource to owner B with 403', async () => {
      const r = await createResource(t, ownerA);
      const before = await snapshot();
      const res = await send(
        'PUT',
        `${BASE}/${r.identifier}`,
        ownerA.auth,
        resourceBody(ownerB, { identifier: r.identifier }),
      );
      await expectRefused(res, { status: 403, code: 'RR-00003' });
      expect(await snapshot()).toEqual(before);
    });

    it("refuses owner B deleting owner A's resource with 403, and nothing changes", async () => {
      const r = await createResource(t, ownerA);
      const before = await snapshot();
      const res = await send('DELETE', `${BASE}/${r.identifier}`, ownerB.auth);
      await expectRefused(res, { status: 403, code: 'RR-00003' });
      expect(await snapshot()).toEqual(before);
      expect((await send('GET', `${BASE}/${r.identifier}`, undefined)).status).toBe(200);
    });

    it("refuses creating a resource in another owner's name, or for an unregistered org code, with 403", async () => {
      const before = await snapshot();
      const asA = await send('POST', BASE, ownerB.auth, resourceBody(ownerA));
      expect(asA.status).toBe(403);
      expect(((await asA.json()) as ProblemDetails).detail).toContain(ownerB.orgNumber);
      const unknown = await send('POST', BASE, ownerB.auth, resourceBody({ orgcode: 'nosuchowner' }));
      expect(unknown.status).toBe(403);
      expect(((await unknown.json()) as ProblemDetails).detail).toContain('not a registered service owner');
      expect(await snapshot()).toEqual(before);
    });

    it('refuses writes without altinn:resourceregistry/resource.write with 403, and without a token with 401', async () => {
      const r = await createResource(t, ownerA);
      const readOnly = await bearer(t, {
        org: ownerA.orgNumber,
        scope: 'altinn:resourceregistry/resource.read',
      });
      const before = await snapshot();
      const post = await send('POST', BASE, readOnly, resourceBody(ownerA));
      expect(post.headers.get('www-authenticate')).toContain('insufficient_scope');
      await expectRefused(post, { status: 403, code: 'AUTH-00403' });
      await expectRefused(
        await send('PUT', `${BASE}/${r.identifier}`, readOnly, { ...r, delegable: false }),
        {
          status: 403,
          code: 'AUTH-00403',
        },
      );
      await expectRefused(await send('DELETE', `${BASE}/${r.identifier}`, readOnly), {
        status: 403,
        code: 'AUTH-00403',
      });
      await expectRefused(await send('POST', BASE, undefined, resourceBody(ownerA)), {
        status: 401,
        code: 'AUTH-00401',
      });
      await expectRefused(await send('DELETE', `${BASE}/${r.identifier}`, undefined), {
        status: 401,
        code: 'AUTH-00401',
      });
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('validation', () => {
    type Case = [string, (b: Record<string, unknown>) => Record<string, unknown>, string[]];
    const text = (nb: string) => ({ nb, nn: nb, en: nb });
    const cases: Case[] = [
      ['a missing identifier', (b) => ({ ...b, identifier: undefined }), ['$.identifier']],
      ['a too short identifier', (b) => ({ ...b, identifier: 'abc' }), ['$.identifier']],
      ['an identifier with uppercase letters', (b) => ({ ...b, identifier: 'Abcdef' }), ['$.identifier']],
      ['an identifier over 100 characters', (b) => ({ ...b, identifier: 'a'.repeat(101) }), ['$.identifier']],
      [
        'the reserved identifier resourcelist',
        (b) => ({ ...b, identifier: 'resourcelist' }),
        ['$.identifier'],
      ],
      ['a title without nn', (b) => ({ ...b, title: { nb: 'a', en: 'b' } }), ['$.title.nn']],
      ['a title that is a string', (b) => ({ ...b, title: 'Tittel' }), ['$.title']],
      [
        'a description in an unknown language',
        (b) => ({ ...b, description: { nb: 'a', de: 'b' } }),
        ['$.description.de'],
      ],
      [
        'a missing hasCompetentAuthority',
        (b) => ({ ...b, hasCompetentAuthority: undefined }),
        ['$.hasCompetentAuthority'],
      ],
      [
        'a malformed org code',
        (b) => ({ ...b, hasCompetentAuthority: { orgcode: 'X Y' } }),
        ['$.hasCompetentAuthority.orgcode'],
      ],
      [
        "an organization that is not the owner's org number",
        (b) => ({
          ...b,
          hasCompetentAuthority: {
            orgcode: (b.hasCompetentAuthority as { orgcode: string }).orgcode,
            organization: '991825827',
          },
        }),
        ['$.hasCompetentAuthority.organization'],
      ],
      [
        'a resourceType other than Consent',
        (b) => ({ ...b, resourceType: 'GenericAccessResource' }),
        ['$.resourceType'],
      ],
      [
        'an unknown consent template',
        (b) => ({ ...b, consentTemplate: 'nosuchtemplate' }),
        ['$.consentTemplate'],
      ],
      ['a missing consentText', (b) => ({ ...b, consentText: undefined }), ['$.consentText']],
      [
        'a consentText without en',
        (b) => ({ ...b, consentText: { nb: 'a', nn: 'b' } }),
        ['$.consentText.en'],
      ],
      [
        'a placeholder that is not declared metadata',
        (b) => ({
          ...b,
          consentText: { ...(b.consentText as object), nn: 'Inntekt for {inntektsaar} og {kommune}' },
        }),
        ['$.consentText.nn'],
      ],
      [
        'a metadata key with a dash',
        (b) => ({ ...b, consentMetadata: { 'inntekts-aar': { optional: false } }, consentText: text('x') }),
        ['$.consentMetadata["inntekts-aar"]'],
      ],
      [
        'a metadata key over 50 characters',
        (b) => ({ ...b, consentMetadata: { ['k'.repeat(51)]: { optional: true } }, consentText: text('x') }),
        [`$.consentMetadata.${'k'.repeat(51)}`],
      ],
      [
        'metadata without optional',
        (b) => ({ ...b, consentMetadata: { inntektsaar: {} } }),
        ['$.consentMetadata.inntektsaar.optional'],
      ],
      [
        'metadata with a non-boolean optional',
        (b) => ({ ...b, consentMetadata: { inntektsaar: { optional: 'yes' } } }),
        ['$.consentMetadata.inntektsaar.optional'],
      ],
      [
        'metadata with an unknown field',
        (b) => ({ ...b, consentMetadata: { inntektsaar: { optional: true, label: 'x' } } }),
        ['$.consentMetadata.inntektsaar.label'],
      ],
      [
        'metadata that is a list',
        (b) => ({ ...b, consentMetadata: ['inntektsaar'], consentText: text('x') }),
        ['$.consentMetadata'],
      ],
      ['a non-boolean isOneTimeConsent', (b) => ({ ...b, isOneTimeConsent: 'true' }), ['$.isOneTimeConsent']],
      ['an unknown accessListMode', (b) => ({ ...b, accessListMode: 'Sometimes' }), ['$.accessListMode']],
      ['a non-boolean delegable', (b) => ({ ...b, delegable: 1 }), ['$.delegable']],
      [
        'an unknown availableForType',
        (b) => ({ ...b, availableForType: ['PrivatePerson', 'Robot'] }),
        ['$.availableForType'],
      ],
      ['an empty availableForType', (b) => ({ ...b, availableForType: [] }), ['$.availableForType']],
      [
        'a MaskinportenScope reference that is not a scope',
        (b) => ({
          ...b,
          resourceReferences: [
            { referenceSource: 'Default', reference: 'not a scope', referenceType: 'MaskinportenScope' },
          ],
        }),
        ['$.resourceReferences[0].reference'],
      ],
      [
        'a reference with an unknown referenceType',
        (b) => ({
          ...b,
          resourceReferences: [{ referenceSource: 'Default', reference: 'x:y', referenceType: 'Scope' }],
        }),
        ['$.resourceReferences[0].referenceType'],
      ],
      [
        'a contact point with a bad e-mail',
        (b) => ({ ...b, contactPoints: [{ email: 'not-an-email' }] }),
        ['$.contactPoints[0].email'],
      ],
      [
        'a contact page over http',
        (b) => ({ ...b, contactPoints: [{ contactPage: 'http://example.no/x' }] }),
        ['$.contactPoints[0].contactPage'],
      ],
      [
        'a contact point with no way to contact',
        (b) => ({ ...b, contactPoints: [{ category: 'Tilgang' }] }),
        ['$.contactPoints[0]'],
      ],
      ['an empty consentRoles', (b) => ({ ...b, consentRoles: [] }), ['$.consentRoles']],
      ['a lowercase consent role', (b) => ({ ...b, consentRoles: ['dagl'] }), ['$.consentRoles']],
      ['an unknown top-level field', (b) => ({ ...b, homepage: 'https://example.no' }), ['$.homepage']],
      [
        'an unknown nested field',
        (b) => ({ ...b, title: { nb: 'a', nn: 'b', en: 'c', se: 'd' } }),
        ['$.title.se'],
      ],
    ];

    it.each(cases)(
      'refuses %s with one 400 naming exactly that path, and stores nothing',
      async (_name, change, paths) => {
        const before = await snapshot();
        const body = change(resourceBody(ownerA));
        const res = await send('POST', BASE, ownerA.auth, body);
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        const problem = (await res.json()) as ProblemDetails;
        expect(problem).toMatchObject({ status: 400, title: 'Bad Request', traceId: expect.any(String) });
        expect(problem.validationErrors?.flatMap((e) => e.paths).sort()).toEqual([...paths].sort());
        for (const e of problem.validationErrors ?? []) {
          expect(e.code).toMatch(/^STD\.VLD-0000[0-2]$/);
          expect(e.title.length).toBeGreaterThan(0);
        }
        expect(await snapshot()).toEqual(before);
      },
    );

    it('reports every problem of a body in one 400, including the ones that need the database', async () => {
      const before = await snapshot();
      const res = await send('POST', BASE, ownerA.auth, {
        identifier: 'ab',
        title: { nb: 'x', nn: 'y' },
        hasCompetentAuthority: { orgcode: ownerA.orgcode },
        consentTemplate: 'nosuchtemplate',
        consentText: { nb: '{a}', nn: 'b', en: 'c' },
        contactPoints: [{ email: 'x' }],
        surprise: true,
      });
      expect(res.status).toBe(400);
      const problem = (await res.json()) as ProblemDetails;
      expect(problem.code).toBe('STD-00000');
      expect(problem.validationErrors?.flatMap((e) => e.paths).sort()).toEqual(
        [
          '$.consentTemplate',
          '$.consentText.nb',
          '$.contactPoints[0].email',
          '$.identifier',
          '$.surprise',
          '$.title.en',
        ].sort(),
      );
      expect(await snapshot()).toEqual(before);
    });

    it('names a missing required field once, as required', async () => {
      const res = await send('POST', BASE, ownerA.auth, { ...resourceBody(ownerA), identifier: undefined });
      const problem = (await res.json()) as ProblemDetails;
      expect(problem.validationErrors).toEqual([
        { code: 'STD.VLD-00000', title: expect.any(String), paths: ['$.identifier'] },
      ]);
    });

    it('refuses a body that is not a JSON object', async () => {
      const res = await send('POST', BASE, ownerA.auth, ['not', 'an', 'object']);
      expect(res.status).toBe(400);
      expect(((await res.json()) as ProblemDetails).validationErrors?.[0].paths).toEqual(['$']);
    });

    it('validates PUT bodies the same way and changes nothing', async () => {
      const r = await createResource(t, ownerA);
      const before = await snapshot();
      const res = await send('PUT', `${BASE}/${r.identifier}`, ownerA.auth, {
        ...r,
        consentText: { nb: '{ukjent}', nn: 'x', en: 'y' },
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as ProblemDetails).validationErrors?.flatMap((e) => e.paths)).toEqual([
        '$.consentText.nb',
      ]);
      expect(await snapshot()).toEqual(before);
    });

    it("accepts a reference without referenceSource (nullable in Altinn's ResourceReference), stored as null", async () => {
      const body = resourceBody(ownerA, {
        resourceReferences: [
          { reference: `${ownerA.orgcode}:inntekt`, referenceType: 'MaskinportenScope' },
          { referenceSource: null, reference: 'https://example.no', referenceType: 'Uri' },
        ],
      });
      const res = await send('POST', BASE, ownerA.auth, body);
      expect(res.status).toBe(201);
      const created = (await res.json()) as Record<string, unknown>;
      const expected = [
        { referenceSource: null, reference: `${ownerA.orgcode}:inntekt`, referenceType: 'MaskinportenScope' },
        { referenceSource: null, reference: 'https://example.no', referenceType: 'Uri' },
      ];
      expect(created.resourceReferences).toEqual(expected);
      const read = await send('GET', `${BASE}/${body.identifier as string}`, undefined);
      expect(((await read.json()) as Record<string, unknown>).resourceReferences).toEqual(expected);
      // GET → PUT round trip keeps the null; a scope named by such a reference still counts.
      const put = await send('PUT', `${BASE}/${body.identifier as string}`, ownerA.auth, created);
      expect(put.status).toBe(200);
      const view = await t.app.get(ResourcesService).getConsentResource(body.identifier as string);
      expect(view?.scopes).toEqual([`${ownerA.orgcode}:inntekt`]);
    });

    it('still refuses an unknown referenceSource, changing nothing', async () => {
      const before = await snapshot();
      const res = await send(
        'POST',
        BASE,
        ownerA.auth,
        resourceBody(ownerA, {
          resourceReferences: [
            { referenceSource: 'Altinn9', reference: 'x:y', referenceType: 'MaskinportenScope' },
          ],
        }),
      );
      expect(res.status).toBe(400);
      expect(((await res.json()) as ProblemDetails).validationErrors?.flatMap((e) => e.paths)).toEqual([
        '$.resourceReferences[0].referenceSource',
      ]);
      expect(await snapshot()).toEqual(before);
    });

    it('accepts optional metadata, braces with spaces as text, and the poa template', async () => {
      const res = await send(
        'POST',
        BASE,
        ownerA.auth,
        resourceBody(ownerA, {
          consentTemplate: 'poa',
          consentMetadata: { inntektsaar: { optional: false }, kommune: { optional: true } },
          consentText: { nb: 'For {inntektsaar} { ikke en nøkkel }', nn: '{kommune}', en: 'x' },
          availableForType: ['LegalEntityEnterprise'],
          consentRoles: ['DAGL'],
          delegable: false,
          isOneTimeConsent: true,
          accessListMode: 'Enabled',
          contactPoints: [{ telephone: '+47 22 00 00 00' }],
        }),
      );
      expect(res.status).toBe(201);
    });
  });

  describe('ResourcesService for other contexts', () => {
    it("returns current views, old versions (also after deletion) and the owner's list", async () => {
      const svc = t.app.get(ResourcesService);
      const owner = await registerOwner(t);
      const r = await createResource(t, owner, {
        resourceReferences: [
          {
            referenceSource: 'Default',
            reference: `${owner.orgcode}:inntekt`,
            referenceType: 'MaskinportenScope',
          },
          { referenceSource: 'Default', reference: 'https://example.no', referenceType: 'Uri' },
        ],
      });
      const view = await svc.getConsentResource(r.identifier);
      expect(view).toEqual({
        identifier: r.identifier,
        versionId: r.versionId,
        version: 1,
        ownerOrgcode: owner.orgcode,
        ownerOrgNumber: owner.orgNumber,
        title: { nb: 'Inntektsopplysninger', nn: 'Inntektsopplysningar', en: 'Income information' },
        description: { nb: 'Inntekt fra a-ordningen', en: 'Income from the a-ordning' },
        consentText: expect.objectContaining({ nb: 'Inntekten din for **{inntektsaar}**.' }),
        consentMetadata: { inntektsaar: { optional: false } },
        consentTemplate: 'default',
        isOneTimeConsent: false,
        accessListMode: 'Disabled',
        consentRoles: ['DAGL', 'LEDE'],
        scopes: [`${owner.orgcode}:inntekt`],
        availableForType: ['PrivatePerson', 'LegalEntityEnterprise'],
        contactPoints: [
          { category: 'Tilgang', email: 'tilgang@example.no', contactPage: 'https://example.no/tilgang' },
        ],
        delegable: true,
      });

      // A cached view is invalidated by the update at once.
      const upd = await send('PUT', `${BASE}/${r.identifier}`, owner.auth, { ...r, isOneTimeConsent: true });
      const v2 = (await upd.json()) as { versionId: string };
      const after = await svc.getConsentResource(r.identifier);
      expect(after).toMatchObject({ versionId: v2.versionId, version: 2, isOneTimeConsent: true });
      expect(await svc.getConsentResourceVersion(r.identifier, r.versionId)).toMatchObject({
        versionId: r.versionId,
        version: 1,
        isOneTimeConsent: false,
      });
      expect(await svc.getConsentResourceVersion('other-resource', r.versionId)).toBeNull();
      expect(await svc.getConsentResourceVersion(r.identifier, 'nonsense')).toBeNull();

      const second = await createResource(t, owner);
      const listed = await svc.listByOwnerOrgNumber(owner.orgNumber);
      expect(listed.map((v) => v.identifier).sort()).toEqual([r.identifier, second.identifier].sort());

      // Mutating a returned view does not leak into the next caller's.
      after!.scopes.push('evil:scope');
      expect((await svc.getConsentResource(r.identifier))?.scopes).toEqual([`${owner.orgcode}:inntekt`]);

      expect((await send('DELETE', `${BASE}/${second.identifier}`, owner.auth)).status).toBe(204);
      expect(await svc.getConsentResource(second.identifier)).toBeNull();
      expect(await svc.getConsentResourceVersion(second.identifier, second.versionId)).toMatchObject({
        version: 1,
      });
      expect((await svc.listByOwnerOrgNumber(owner.orgNumber)).map((v) => v.identifier)).toEqual([
        r.identifier,
      ]);
      expect(await svc.getConsentResource('does-not-exist')).toBeNull();
      expect(await svc.listByOwnerOrgNumber(orgNumber())).toEqual([]);
    });

    it('sees a resource created after a cached miss', async () => {
      const svc = t.app.get(ResourcesService);
      const id = uniqueCode('late-');
      expect(await svc.getConsentResource(id)).toBeNull();
      await createResource(t, ownerA, { identifier: id });
      expect((await svc.getConsentResource(id))?.identifier).toBe(id);
    });
  });
});
