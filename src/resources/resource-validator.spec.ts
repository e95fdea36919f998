import { describe, expect, it } from '@jest/globals';
import { consentTextPlaceholders } from './consent-resource.view.js';
import { canonicalJson, normalizeResourceBody, validateResourceBody } from './resource-validator.js';

const owner = {
  orgcode: 'skd',
  orgNumber: '974761076',
  name: { nb: 'Skatteetaten', nn: 'Skatteetaten', en: 'Tax' },
};
const valid = {
  identifier: 'skd-inntekt',
  title: { nb: 'a', nn: 'b', en: 'c' },
  hasCompetentAuthority: { orgcode: 'skd' },
  consentText: { nb: '{aar}', nn: '{aar}', en: '{aar}' },
  consentMetadata: { aar: { optional: false } },
};

describe('consent text placeholders', () => {
  it('finds each braced word once, in order, and ignores braces around spaces', () => {
    expect(consentTextPlaceholders('{a} og {b}, igjen {a}; { ikke } {}')).toEqual(['a', 'b']);
  });

  it('counts a key with a dash as a placeholder so the typo is reported', () => {
    expect(consentTextPlaceholders('for {inntekts-aar}')).toEqual(['inntekts-aar']);
  });
});

describe('validateResourceBody', () => {
  it('accepts a minimal valid body', async () => {
    expect((await validateResourceBody(valid)).problems).toEqual([]);
  });

  it('reports an undeclared placeholder per language, once', async () => {
    const { problems } = await validateResourceBody({
      ...valid,
      consentText: { nb: '{aar} {x} {x}', nn: '{aar}', en: '{y}' },
    });
    expect(problems.map((p) => p.paths[0])).toEqual(['$.consentText.nb', '$.consentText.en']);
    expect(problems[0].title).toContain('{x}');
  });

  it('gives a missing nested field a single "required" problem', async () => {
    const { problems } = await validateResourceBody({ ...valid, title: { nb: 'a', nn: 'b' } });
    expect(problems).toEqual([{ code: 'STD.VLD-00000', title: expect.any(String), paths: ['$.title.en'] }]);
  });

  it('refuses accessListMode: null (not one of Disabled|Enabled) naming the member (RT3-7)', async () => {
    const { problems } = await validateResourceBody({ ...valid, accessListMode: null });
    expect(problems).toEqual([
      {
        code: 'STD.VLD-00001',
        title: 'accessListMode must be one of the following values: Disabled, Enabled',
        paths: ['$.accessListMode'],
      },
    ]);
  });

  it('accepts any read-only member a GET returns, a stale or odd versionId included (DESIGN §11)', async () => {
    const readOnly = { versionId: 'not-even-a-uuid', version: 7, createdAt: 'x', updatedAt: null };
    expect((await validateResourceBody({ ...valid, ...readOnly })).problems).toEqual([]);
  });

  it('refuses a body that is not an object', async () => {
    expect((await validateResourceBody(null)).problems[0].paths).toEqual(['$']);
    expect((await validateResourceBody('x')).problems[0].paths).toEqual(['$']);
  });
});

describe('normalizeResourceBody', () => {
  it('fills in every default and the owner details', async () => {
    const { dto } = await validateResourceBody(valid);
    expect(normalizeResourceBody(dto, owner)).toEqual({
      identifier: 'skd-inntekt',
      title: { nb: 'a', nn: 'b', en: 'c' },
      hasCompetentAuthority: { orgcode: 'skd', organization: '974761076', name: owner.name },
      resourceType: 'Consent',
      consentTemplate: 'default',
      consentText: valid.consentText,
      consentMetadata: { aar: { optional: false } },
      isOneTimeConsent: false,
      accessListMode: 'Disabled',
      delegable: true,
      availableForType: ['PrivatePerson', 'LegalEntityEnterprise'],
      resourceReferences: [],
      contactPoints: [],
      consentRoles: ['DAGL', 'LEDE'],
    });
  });
});

describe('normalizeResourceBody: accessListMode (RT3-7)', () => {
  it('takes Disabled when a create omits it, and keeps the current mode when a PUT omits it', async () => {
    const { dto } = await validateResourceBody(valid);
    expect(normalizeResourceBody(dto, owner).accessListMode).toBe('Disabled');
    expect(normalizeResourceBody(dto, owner, { accessListMode: 'Enabled' }).accessListMode).toBe('Enabled');
    expect(normalizeResourceBody(dto, owner, { accessListMode: 'Disabled' }).accessListMode).toBe('Disabled');
  });

  it('takes the value a PUT sends over the current one, either way', async () => {
    const off = (await validateResourceBody({ ...valid, accessListMode: 'Disabled' })).dto;
    const on = (await validateResourceBody({ ...valid, accessListMode: 'Enabled' })).dto;
    expect(normalizeResourceBody(off, owner, { accessListMode: 'Enabled' }).accessListMode).toBe('Disabled');
    expect(normalizeResourceBody(on, owner, { accessListMode: 'Disabled' }).accessListMode).toBe('Enabled');
  });
});

describe('canonicalJson', () => {
  it('ignores key order and undefined members but not array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: undefined } })).toBe(
      canonicalJson({ a: { d: [1, 2] }, b: 1 }),
    );
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });
});
