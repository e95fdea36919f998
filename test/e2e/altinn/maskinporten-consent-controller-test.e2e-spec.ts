import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Scopes } from '../../../src/common/auth/scopes.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { http, LOOKUP_PATH } from '../../factories/consent-fixtures.js';
import {
  altinnWorld,
  createFixture,
  daysFromNow,
  decide,
  elena,
  ORG,
  orgToken,
  orgUrn,
  PERSON,
  personUrn,
} from '../../factories/altinn-world.js';

/**
 * Port of Altinn's Maskinporten ConsentControllerTest (Altinn/altinn-authorization-tmp,
 * src/apps/Altinn.AccessManagement/test/AccessMgmt.Tests/Integration/Controllers/MaskinPorten/
 * ConsentControllerTest.cs): its 4 tests of POST /accessmanagement/api/v1/maskinporten/consent/lookup,
 * with its fixtures (Data/Consent/consent_request_<id>.json) created through our consumer API and
 * accepted by the person in our portal, where Altinn writes them into its repository. Altinn's
 * several problems are a 500; ours one 400 listing them (DESIGN §4).
 */

let t: TestApp;
let lookupAuth: string;

beforeAll(async () => {
  t = await createTestApp();
  await altinnWorld(t);
  lookupAuth = await orgToken(t, ORG.smekkFullBank, Scopes.consentLookup);
});
afterAll(async () => t?.close());

// Altinn's client posts with a trailing slash.
const lookup = (body: unknown) => http(t, 'POST', `${LOOKUP_PATH}/`, lookupAuth, body);

/**
 * Elena accepts the request from Lepsøy og Tonstad (she holds DAGL there), then SmekkFull Bank's
 * lookup answers it as Altinn asserts: consented lately, both rights, `from` the organisation.
 */
async function acceptAndLookUp(id: string): Promise<void> {
  expect((await decide(await elena(t), id, true)).status).toBe(303);
  const res = await lookup({ id, from: orgUrn(ORG.lepsoyOgTonstad), to: orgUrn(ORG.smekkFullBank) });
  expect(res.status).toBe(200);
  expect(Date.parse(res.body.consented as string)).toBeGreaterThan(Date.now() - 2 * 86_400_000);
  expect(res.body.consentRights).toHaveLength(2);
  expect(res.body.from).toBe(orgUrn(ORG.lepsoyOgTonstad));
}

describe('Altinn MaskinPorten ConsentControllerTest', () => {
  // Altinn: ConsentControllerTest.GetConsent_CreatedExpired_Returns500MultipleProblemsExpiredAndNotAccepted
  it('GetConsent_CreatedExpired_Returns500MultipleProblemsExpiredAndNotAccepted', async () => {
    const { id } = await createFixture(t, 'e2071c55-6adf-487b-af05-9198a230ed44', {
      validTo: new Date('2019-09-30T10:30:00.000Z'),
    });
    const res = await lookup({
      id,
      from: personUrn(PERSON.elenaFjaer),
      to: orgUrn(ORG.smekkFullBank),
    });
    // Altinn: 500 STD-00001 (multiple problems) [AM-00013, AM-00014]; ours one 400 with both, in that order.
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'STD-00000', status: 400 });
    expect(res.body.validationErrors.map((p: { code: string }) => p.code)).toEqual(['AM-00013', 'AM-00014']);
  });

  // Altinn: ConsentControllerTest.GetConsent_ValidFromOrg_Returns200WithConsentInfo
  it('GetConsent_ValidFromOrg_Returns200WithConsentInfo', async () => {
    const { id } = await createFixture(t, 'e2071c55-6adf-487b-af05-9198a230ed77', {
      validTo: daysFromNow(10),
    });
    await acceptAndLookUp(id);
  });

  // Altinn: ConsentControllerTest.GetConsent_ValidHandledByOrg_Returns200WithConsentInfo
  it('GetConsent_ValidHandledByOrg_Returns200WithConsentInfo', async () => {
    // to Kolsaas og Flaam, handled by SmekkFull Bank: the lookup names the handler as `to`.
    const { id, created } = await createFixture(t, 'd1bedb7d-a682-4668-9f84-7a56b3d733ab', {
      validTo: daysFromNow(10),
    });
    expect(created.body).toMatchObject({
      to: orgUrn(ORG.kolsaasOgFlaam),
      handledBy: orgUrn(ORG.smekkFullBank),
    });
    await acceptAndLookUp(id);
  });

  // Altinn: ConsentControllerTest.GetConsent_Created_Returns400ConsentNotAccepted
  it('GetConsent_Created_Returns400ConsentNotAccepted', async () => {
    const { id } = await createFixture(t, 'e2071c55-6adf-487b-af05-9198a230ed46', {
      validTo: daysFromNow(10),
    });
    const res = await lookup({ id, from: personUrn(PERSON.elenaFjaer), to: orgUrn(ORG.smekkFullBank) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'AM-00014', title: 'Consent is not accepted' });
  });
});
