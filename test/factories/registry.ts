/**
 * Registry fixtures over real HTTP: a registered service owner with an admin token, and valid
 * consent-resource bodies. Shared so every context's e2e tests build owners and resources the
 * way the API does (audit rows, versions, change events included).
 */
import type { TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/tokens.js';
import { orgNumber, uniqueCode } from './orgs.js';

export const ADMIN_ORG = '991825827';
export const RESOURCE_WRITE = 'altinn:resourceregistry/resource.write';

export interface TestOwner {
  orgcode: string;
  orgNumber: string;
  /** `Authorization` value with `altinn:resourceregistry/resource.write` for this owner. */
  auth: string;
}

/** Registers a fresh owner through `PUT /admin/v1/owners/{orgcode}` (admin token). */
export async function registerOwner(
  t: TestApp,
  o: { orgcode?: string; orgNumber?: string } = {},
): Promise<TestOwner> {
  const code = o.orgcode ?? uniqueCode('o').slice(0, 20);
  const number = o.orgNumber ?? orgNumber();
  const res = await fetch(`${t.url}/admin/v1/owners/${code}`, {
    method: 'PUT',
    headers: {
      authorization: await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' }),
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      orgNumber: number,
      name: { nb: `Etat ${code}`, nn: `Etat ${code}`, en: `Agency ${code}` },
    }),
  });
  if (res.status !== 201) throw new Error(`registerOwner: ${res.status} ${await res.text()}`);
  return { orgcode: code, orgNumber: number, auth: await bearer(t, { org: number, scope: RESOURCE_WRITE }) };
}

/** A valid consent-resource body with one required metadata key (`inntektsaar`). */
export function resourceBody(
  owner: { orgcode: string },
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    identifier: uniqueCode('res-'),
    title: { nb: 'Inntektsopplysninger', nn: 'Inntektsopplysningar', en: 'Income information' },
    description: { nb: 'Inntekt fra a-ordningen', en: 'Income from the a-ordning' },
    hasCompetentAuthority: { orgcode: owner.orgcode },
    resourceType: 'Consent',
    consentTemplate: 'default',
    consentText: {
      nb: 'Inntekten din for **{inntektsaar}**.',
      nn: 'Inntekta di for **{inntektsaar}**.',
      en: 'Your income for **{inntektsaar}**.',
    },
    consentMetadata: { inntektsaar: { optional: false } },
    isOneTimeConsent: false,
    accessListMode: 'Disabled',
    resourceReferences: [
      {
        referenceSource: 'Default',
        reference: `${owner.orgcode}:inntekt`,
        referenceType: 'MaskinportenScope',
      },
    ],
    contactPoints: [
      { category: 'Tilgang', email: 'tilgang@example.no', contactPage: 'https://example.no/tilgang' },
    ],
    ...overrides,
  };
}

/** Creates a resource via `POST /resourceregistry/api/v1/resource`; returns the response body. */
export async function createResource(
  t: TestApp,
  owner: TestOwner,
  overrides: Record<string, unknown> = {},
): Promise<Record<string, unknown> & { identifier: string; versionId: string }> {
  const res = await fetch(`${t.url}/resourceregistry/api/v1/resource`, {
    method: 'POST',
    headers: { authorization: owner.auth, 'content-type': 'application/json' },
    body: JSON.stringify(resourceBody(owner, overrides)),
  });
  if (res.status !== 201) throw new Error(`createResource: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown> & { identifier: string; versionId: string };
}
