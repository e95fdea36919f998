import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import type { ConsentTemplateView } from '../../src/resources/consent-template.view.js';
import { TemplatesService } from '../../src/resources/templates.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectRefused } from '../helpers/refusals.js';

const BASE = '/resourceregistry/api/v1/consent-templates';
const PLACEHOLDERS = new Set(['CoveredBy', 'OfferedBy', 'HandledBy', 'Expiration']);

/** Every leaf text of a template, with its path. */
function texts(v: unknown, path = 'texts'): [string, string][] {
  if (typeof v === 'string') return [[path, v]];
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => texts(x, `${path}.${k}`));
  return [];
}

describe('consent templates', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it("lists the seeded default and poa templates publicly, in Altinn's shape", async () => {
    const res = await fetch(`${t.url}${BASE}`);
    expect(res.status).toBe(200);
    const list = (await res.json()) as ConsentTemplateView[];
    expect(list.map((x) => [x.id, x.version])).toEqual([
      ['default', 1],
      ['poa', 1],
    ]);
    const [def, poa] = list;
    expect(def).toMatchObject({ isPoa: false, isMessageSetInRequest: true });
    expect(poa).toMatchObject({ isPoa: true });
    expect(def.texts.title.person.nb).toBe('Samtykke til bruk av dine data');
    expect(def.texts.heading.person.nb).toBe('{CoveredBy} ønsker å hente opplysninger om deg');
    expect(poa.texts.title.person.nb).toContain('Fullmakt');
    for (const template of list) {
      expect(Object.keys(template.texts).sort()).toEqual(
        [
          'expiration',
          'expirationOneTime',
          'handledBy',
          'heading',
          'overriddenDelegationContext',
          'serviceIntro',
          'serviceIntroAccepted',
          'title',
        ].sort(),
      );
      expect(template.texts.overriddenDelegationContext).toBeNull();
      for (const key of ['title', 'heading', 'serviceIntro', 'serviceIntroAccepted'] as const)
        for (const party of ['person', 'org'] as const)
          expect(Object.keys(template.texts[key][party]).sort()).toEqual(['en', 'nb', 'nn']);
      for (const key of ['expiration', 'expirationOneTime', 'handledBy'] as const)
        expect(Object.keys(template.texts[key]).sort()).toEqual(['en', 'nb', 'nn']);
      // Only the four documented placeholders, and org texts name the organisation.
      for (const [path, text] of texts(template.texts)) {
        expect(text.trim().length).toBeGreaterThan(0);
        for (const m of text.matchAll(/\{([^}]*)\}/g))
          expect([path, PLACEHOLDERS.has(m[1])]).toEqual([path, true]);
      }
      expect(template.texts.heading.org.nn).toContain('{OfferedBy}');
      expect(template.texts.expiration.en).toContain('{Expiration}');
      expect(template.texts.handledBy.nb).toContain('{HandledBy}');
    }
  });

  it('reads one version publicly, 404 for a missing version and 400 for a malformed one', async () => {
    const res = await fetch(`${t.url}${BASE}/poa/1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 'poa', version: 1, isPoa: true });
    const missing = await fetch(`${t.url}${BASE}/default/99`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'RR-00006' });
    for (const version of ['one', '0'])
      await expectRefused(await fetch(`${t.url}${BASE}/default/${version}`), {
        status: 400,
        field: '$.version',
      });
  });

  it('seeds idempotently: starting again adds nothing and keeps the stored versions', async () => {
    const prisma = t.app.get(PrismaService);
    const before = await prisma.consentTemplate.findMany({ orderBy: [{ id: 'asc' }, { version: 'asc' }] });
    await t.app.get(TemplatesService).onModuleInit();
    await t.app.get(TemplatesService).onModuleInit();
    expect(await prisma.consentTemplate.findMany({ orderBy: [{ id: 'asc' }, { version: 'asc' }] })).toEqual(
      before,
    );
    expect(before).toHaveLength(2);
  });

  it('gives other contexts the latest active version, or an exact one, through TemplatesService', async () => {
    const svc = t.app.get(TemplatesService);
    const prisma = t.app.get(PrismaService);
    const v1 = await svc.getTemplate('default');
    expect(v1).toMatchObject({ id: 'default', version: 1 });
    const body = { title: 'Ny', isPoa: false, isMessageSetInRequest: false, texts: v1!.texts };
    await prisma.consentTemplate.create({
      data: { id: 'default', version: 2, body: JSON.parse(JSON.stringify(body)) },
    });
    await prisma.consentTemplate.create({
      data: { id: 'default', version: 3, isActive: false, body: JSON.parse(JSON.stringify(body)) },
    });
    expect(await svc.getTemplate('default')).toMatchObject({ version: 2, title: 'Ny' });
    expect(await svc.getTemplate('default', 1)).toMatchObject({ version: 1, title: v1!.title });
    expect(await svc.getTemplate('default', 3)).toMatchObject({ version: 3 });
    expect(await svc.getTemplate('nosuch')).toBeNull();
    expect(await svc.getTemplate('default', 42)).toBeNull();
    const list = (await (await fetch(`${t.url}${BASE}`)).json()) as ConsentTemplateView[];
    expect(list.find((x) => x.id === 'default')?.version).toBe(2);
  });
});
