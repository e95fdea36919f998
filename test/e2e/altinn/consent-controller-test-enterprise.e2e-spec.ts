import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Scopes } from '../../../src/common/auth/scopes.js';
import { uuidv7 } from '../../../src/consents/uuidv7.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { CONSENT_PATH, consentCounts, http, type HttpResult } from '../../factories/consent-fixtures.js';
import { altinnWorld, ORG, orgToken, orgUrn, PERSON, personUrn } from '../../factories/altinn-world.js';

/**
 * Port of Altinn's ConsentControllerTestEnterprise (Altinn/altinn-authorization-tmp,
 * src/apps/Altinn.AccessManagement/test/AccessMgmt.Tests/Integration/Controllers/Enterprise/
 * ConsentControllerTestEnterprise.cs): its 18 tests, one each, with Altinn's inputs (parties,
 * resources, metadata, tokens) and expected outcomes, against our real app over HTTP. Where DESIGN
 * deliberately differs the test asserts our behaviour and says what Altinn answers:
 * - statuses and event types are lowercase (DESIGN §4.6); Altinn writes `Created`;
 * - several problems are one 400 listing all of them, not Altinn's 500 (DESIGN §4);
 * - a single validation problem is the top-level `code` as well as `validationErrors[0]` (Altinn
 *   puts `STD-00000` on top and the problem in its `errors`); docs/errors.md;
 * - metadata keys come back spelt as the resource declares them (`inntektsaar`), where Altinn's
 *   case-insensitive dictionary echoes `INNTEKTSAAR`.
 */

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await altinnWorld(t);
});
afterAll(async () => t?.close());

// Altinn posts to the collection with a trailing slash, as ASP.NET routing allows.
const URL_ = `${CONSENT_PATH}/`;
const VALIDATION = 'One or more validation errors occurred.';

/** `DateTimeOffset` as System.Text.Json writes it: seven fraction digits and an offset. */
const dotnet = (d: Date) => d.toISOString().replace('Z', '0000+00:00');

const inntekt = (metadata: Record<string, string> | null = { INNTEKTSAAR: 'ADSF' }, action = ['read']) => ({
  action,
  resource: [{ type: 'urn:altinn:resource', value: 'ttd_inntektsopplysninger' }],
  ...(metadata ? { metadata } : {}),
});

/** Altinn's ConsentRequestDto as its client serialises it (camelCase, nulls written, Hide default). */
function request(o: Record<string, unknown> = {}): Record<string, unknown> & { id: string; validTo: string } {
  return {
    id: uuidv7(),
    from: personUrn(PERSON.elenaFjaer),
    requiredDelegator: null,
    to: orgUrn(ORG.smekkFullBank),
    validTo: dotnet(new Date(Date.now() + 86_400_000)),
    consentRights: [inntekt()],
    requestMessage: { en: 'Please approve this consent request' },
    redirectUrl: 'https://www.dnb.no',
    portalViewMode: 'Hide',
    ...o,
  };
}

const write = () => orgToken(t, ORG.smekkFullBank, Scopes.consentRequestsWrite);

/** Altinn's `Assert.Equal(ValidTo.Minute/Second, …)`. */
function sameMinuteAndSecond(sent: string, got: string): void {
  const a = new Date(sent);
  const b = new Date(got);
  expect([b.getUTCMinutes(), b.getUTCSeconds()]).toEqual([a.getUTCMinutes(), a.getUTCSeconds()]);
}

/** The assertions Altinn repeats on every created request. */
function expectCreatedDetails(res: HttpResult, sent: ReturnType<typeof request>, performedBy: string): void {
  const info = res.body;
  expect(info.consentRights).toHaveLength(1);
  expect(Object.keys(info.consentRights[0].metadata)).toHaveLength(1);
  sameMinuteAndSecond(sent.validTo, info.validTo as string);
  expect(info.consentRights[0].action).toEqual(['read']);
  // Altinn: Metadata["INNTEKTSAAR"] through a case-insensitive dictionary.
  expect(info.consentRights[0].metadata).toEqual({ inntektsaar: 'ADSF' });
  expect(info.consentRequestEvents).toHaveLength(1);
  expect(info.consentRequestEvents[0]).toMatchObject({
    eventType: 'created',
    performedBy: orgUrn(performedBy),
  });
  expect(info.status).toBe('created'); // Altinn: Created
}

/** Posts, expects `status` and the problem, and that nothing was stored. */
async function refused(body: unknown, auth: string, status: number, problem: Record<string, unknown>) {
  const before = await consentCounts(t);
  const res = await http(t, 'POST', URL_, auth, body);
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject(problem);
  expect(await consentCounts(t)).toEqual(before);
  return res;
}

describe('Altinn ConsentControllerTestEnterprise', () => {
  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequest_Valid_Returns201WithCreatedConsentRequest
  it('CreateConsentRequest_Valid_Returns201WithCreatedConsentRequest', async () => {
    const sent = request();
    const res = await http(t, 'POST', URL_, await write(), sent);
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`${t.url}${CONSENT_PATH}/${sent.id}`);
    expectCreatedDetails(res, sent, ORG.smekkFullBank);
    // Altinn: https://am.ui.localhost/accessmanagement/ui/consent/request?id=… — the same query on our portal.
    expect(res.body.viewUri).toBe(`${t.url}/consent/request?id=${sent.id}`);
  });

  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequest_PortalModeShowValid_Returns201WithCreatedConsentRequest
  it('CreateConsentRequest_PortalModeShowValid_Returns201WithCreatedConsentRequest', async () => {
    const sent = request({ portalViewMode: 'Show' });
    const res = await http(t, 'POST', URL_, await write(), sent);
    expect(res.status).toBe(201);
    expectCreatedDetails(res, sent, ORG.smekkFullBank);
    expect(res.body.viewUri).toBe(`${t.url}/consent/request?id=${sent.id}`);
    expect(res.body.portalViewMode).toBe('show'); // Altinn: Show
  });

  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequestByOrg_Valid_Returns201WithCreatedConsentRequest
  it('CreateConsentRequestByOrg_Valid_Returns201WithCreatedConsentRequest', async () => {
    const sent = request();
    const auth = await orgToken(t, ORG.digitaliseringsdirektoratet, Scopes.consentRequestsOrg);
    const res = await http(t, 'POST', URL_, auth, sent);
    expect(res.status).toBe(201);
    expectCreatedDetails(res, sent, ORG.digitaliseringsdirektoratet);
    expect(res.body.to).toBe(sent.to);
    expect(res.body.from).toBe(sent.from);
    expect(res.body.handledBy).toBe('urn:altinn:organization:identifier-no:991825827');
  });

  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequestByOrg_InvalidUrl_Returns400WithInvalidRedirectUrlError
  it('CreateConsentRequestByOrg_InvalidUrl_Returns400WithInvalidRedirectUrlError', async () => {
    const auth = await orgToken(t, ORG.digitaliseringsdirektoratet, Scopes.consentRequestsOrg);
    // Altinn: code STD-00000 with errors [AM.VLD-00027]; ours names the one problem on top too.
    const res = await refused(request({ redirectUrl: 'not a valid url' }), auth, 400, {
      code: 'AM.VLD-00027',
      title: VALIDATION,
    });
    expect(res.body.validationErrors).toEqual([
      { code: 'AM.VLD-00027', title: 'Invalid redirect URL.', paths: ['/redirectUrl'] },
    ]);
  });

  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequestByOrg_MobileAppRedirectUrlValid_Returns201Created
  it('CreateConsentRequestByOrg_MobileAppRedirectUrlValid_Returns201Created', async () => {
    const auth = await orgToken(t, ORG.digitaliseringsdirektoratet, Scopes.consentRequestsOrg);
    const res = await http(t, 'POST', URL_, auth, request({ redirectUrl: 'myapp://consent-callback' }));
    expect(res.status).toBe(201);
    expect(res.body.redirectUrl).toBe('myapp://consent-callback');
  });

  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequestDuplicatePost_Valid_Returns200WithExistingConsentRequest
  it('CreateConsentRequestDuplicatePost_Valid_Returns200WithExistingConsentRequest', async () => {
    const sent = request();
    const auth = await orgToken(t, ORG.smekkFullBank, Scopes.consentRequestsWrite);
    const first = await http(t, 'POST', URL_, auth, sent);
    expect(first.status).toBe(201);
    expectCreatedDetails(first, sent, ORG.smekkFullBank);
    const before = await consentCounts(t);
    const again = await http(t, 'POST', URL_, auth, sent);
    expect(again.status).toBe(200);
    expectCreatedDetails(again, sent, ORG.smekkFullBank);
    expect(again.body).toEqual(first.body);
    expect(await consentCounts(t)).toEqual(before);
  });

  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequestDuplicatePost_InvalidDifferentFrom_Returns400WithConsentAlreadyExistsError
  it('CreateConsentRequestDuplicatePost_InvalidDifferentFrom_Returns400WithConsentAlreadyExistsError', async () => {
    const sent = request();
    const auth = await orgToken(t, ORG.smekkFullBank, Scopes.consentRequestsWrite);
    const first = await http(t, 'POST', URL_, auth, sent);
    expect(first.status).toBe(201);
    expectCreatedDetails(first, sent, ORG.smekkFullBank);
    await refused({ ...sent, from: personUrn(PERSON.kariNordmann) }, auth, 400, {
      code: 'AM-00016',
      title: 'A consent request with this id already exists',
    });
    expect((await http(t, 'GET', `${CONSENT_PATH}/${sent.id}`, auth)).body.from).toBe(sent.from);
  });

  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequest_AndCheckStatusValid_Returns201WithCreatedConsentRequest
  it('CreateConsentRequest_AndCheckStatusValid_Returns201WithCreatedConsentRequest', async () => {
    const sent = request();
    // Altinn reads back with the same write-only token: its read policy accepts .write (issue 18 item 1).
    const auth = await orgToken(t, ORG.smekkFullBank, Scopes.consentRequestsWrite);
    const res = await http(t, 'POST', URL_, auth, sent);
    expect(res.status).toBe(201);
    expectCreatedDetails(res, sent, ORG.smekkFullBank);
    const read = await http(t, 'GET', new URL(res.headers.get('location')!).pathname, auth);
    expect(read.status).toBe(200);
    expectCreatedDetails(read, sent, ORG.smekkFullBank);
  });

  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequestRequiredDelegator_AndCheckStatusValid_Returns201WithCreatedConsentRequest
  it('CreateConsentRequestRequiredDelegator_AndCheckStatusValid_Returns201WithCreatedConsentRequest', async () => {
    const sent = request({ requiredDelegator: personUrn(PERSON.elenaFjaer) });
    const auth = await orgToken(t, ORG.smekkFullBank, Scopes.consentRequestsWrite);
    const res = await http(t, 'POST', URL_, auth, sent);
    expect(res.status).toBe(201);
    expectCreatedDetails(res, sent, ORG.smekkFullBank);
    const read = await http(t, 'GET', new URL(res.headers.get('location')!).pathname, auth);
    expectCreatedDetails(read, sent, ORG.smekkFullBank);
    expect(read.body.requiredDelegator).toBe(sent.requiredDelegator);
  });

  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequestHandledByParty_AndCheckStatusValid_Returns201WithCreatedConsentRequest
  it('CreateConsentRequestHandledByParty_AndCheckStatusValid_Returns201WithCreatedConsentRequest', async () => {
    const sent = request();
    const auth = await orgToken(t, ORG.smekkFullBank, Scopes.consentRequestsWrite, ORG.kolsaasOgFlaam);
    const res = await http(t, 'POST', URL_, auth, sent);
    expect(res.status).toBe(201);
    expectCreatedDetails(res, sent, ORG.smekkFullBank);
    const readAuth = await orgToken(t, ORG.smekkFullBank, Scopes.consentRequestsRead, ORG.kolsaasOgFlaam);
    const read = await http(t, 'GET', new URL(res.headers.get('location')!).pathname, readAuth);
    expectCreatedDetails(read, sent, ORG.smekkFullBank);
    expect(read.body.handledBy).toBe('urn:altinn:organization:identifier-no:810418192');
  });

  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequest_ValidWithoutMetadata_Returns201WithCreatedConsentRequest
  it('CreateConsentRequest_ValidWithoutMetadata_Returns201WithCreatedConsentRequest', async () => {
    const sent = request({
      consentRights: [
        { action: ['read'], resource: [{ type: 'urn:altinn:resource', value: 'ttd_navnescore' }] },
      ],
    });
    const res = await http(t, 'POST', URL_, await write(), sent);
    expect(res.status).toBe(201);
    expect(res.body.consentRights).toEqual([
      {
        action: ['read'],
        resource: [{ type: 'urn:altinn:resource', value: 'ttd_navnescore' }],
        metadata: null,
      },
    ]);
    sameMinuteAndSecond(sent.validTo, res.body.validTo as string);
    expect(res.body.consentRequestEvents).toEqual([
      expect.objectContaining({ eventType: 'created', performedBy: orgUrn(ORG.smekkFullBank) }),
    ]);
    expect(res.body.status).toBe('created');
  });

  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequest_IncompatibleTemplates_Returns400WithIncompatibleTemplatesError
  it('CreateConsentRequest_IncompatibleTemplates_Returns400WithIncompatibleTemplatesError', async () => {
    const sent = request({
      consentRights: [
        inntekt(),
        {
          action: ['read'],
          resource: [{ type: 'urn:altinn:resource', value: 'ttd_skattegrunnlag2' }],
          metadata: { fraOgMed: 'ADSF', tilOgMed: 'ADSF' },
        },
      ],
    });
    // Altinn: AM-00009 with no errors list; ours lists the problem with its path.
    const res = await refused(sent, await write(), 400, {
      code: 'AM-00009',
      title: 'Invalid resource combination',
    });
    expect(res.body.validationErrors).toEqual([
      {
        code: 'AM-00009',
        title: 'Invalid resource combination',
        paths: ['/consentRights/1/resource/0/value'],
      },
    ]);
  });

  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequest_MissingMetadata_Returns400WithMissingMetadataError
  it('CreateConsentRequest_MissingMetadata_Returns400WithMissingMetadataError', async () => {
    await refused(request({ consentRights: [inntekt(null)] }), await write(), 400, {
      code: 'AM-00008',
      validationErrors: [
        { code: 'AM-00008', title: 'Missing metadata', paths: ['/consentRights/0/metadata/inntektsaar'] },
      ],
    });
  });

  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequest_WrongNamingMetadata_Returns500WithUnknownAndMissingMetadataProblems
  it('CreateConsentRequest_WrongNamingMetadata_Returns500WithUnknownAndMissingMetadataProblems', async () => {
    const sent = request({
      consentRights: [
        inntekt(),
        {
          action: ['read'],
          resource: [{ type: 'urn:altinn:resource', value: 'ttd_skattegrunnlag' }],
          metadata: { fraOgMed: 'ADSF', tilOgMedwrong: 'ADSF' },
        },
      ],
    });
    // Altinn: 500 STD-00001 with two problems; DESIGN §4: one 400 STD-00000 listing both.
    const res = await refused(sent, await write(), 400, { code: 'STD-00000', title: VALIDATION });
    expect(res.body.validationErrors).toEqual([
      {
        code: 'AM-00006',
        title: 'Unknown consent metadata',
        paths: ['/consentRights/1/metadata/tilOgMedwrong'],
      },
      { code: 'AM-00008', title: 'Missing metadata', paths: ['/consentRights/1/metadata/tilogmed'] },
    ]);
  });

  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequest_UnknownMetadata_Returns400WithInvalidMetadataError
  it('CreateConsentRequest_UnknownMetadata_Returns400WithInvalidMetadataError', async () => {
    const sent = request({
      consentRights: [
        {
          action: ['read'],
          resource: [{ type: 'urn:altinn:resource', value: 'ttd_navnescore' }],
          metadata: { INNTEKTSAAR: 'ADSF' },
        },
      ],
    });
    // Altinn: detail "Invalid consent metadata" and an extension key=inntektsaar; ours names the
    // key in the detail and the path.
    await refused(sent, await write(), 400, {
      code: 'AM-00006',
      detail: "Resource 'ttd_navnescore' has no metadata key 'INNTEKTSAAR'.",
      validationErrors: [
        {
          code: 'AM-00006',
          title: 'Unknown consent metadata',
          paths: ['/consentRights/0/metadata/INNTEKTSAAR'],
        },
      ],
    });
  });

  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequest_MissingRights_Returns400WithMissingRightsError
  it('CreateConsentRequest_MissingRights_Returns400WithMissingRightsError', async () => {
    // Altinn: STD-00000 on top, the single error AM.VLD-00023.
    await refused(request({ consentRights: [] }), await write(), 400, {
      code: 'AM.VLD-00023',
      validationErrors: [
        { code: 'AM.VLD-00023', title: 'The list must not be empty.', paths: ['/consentRights'] },
      ],
    });
  });

  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequest_MissingAction_Returns400WithRequiredActionError
  it('CreateConsentRequest_MissingAction_Returns400WithRequiredActionError', async () => {
    // Altinn: the single error is ValidationErrors.Required (issue 18 item 3); its path is
    // /consentRight/0/action, ours the JSON pointer into the body.
    await refused(request({ consentRights: [inntekt(undefined, [])] }), await write(), 400, {
      code: 'STD.VLD-00000',
      validationErrors: [
        { code: 'STD.VLD-00000', title: 'The field is required.', paths: ['/consentRights/0/action'] },
      ],
    });
  });

  // Altinn: ConsentControllerTestEnterprise.CreateConsentRequest_FromIsNonExistingPerson_Returns400WithNonExistingPersonError
  it('CreateConsentRequest_FromIsNonExistingPerson_Returns400WithNonExistingPersonError', async () => {
    // Altinn looks the person up in the population register and answers AM-00004. We have no
    // register (DESIGN §9: identifiers are checked by checksum), so 01014922047 — checksum-valid
    // — is accepted; AM-00004 is what a number no one can have gets.
    const valid = await http(
      t,
      'POST',
      URL_,
      await write(),
      request({ from: personUrn(PERSON.nonExisting) }),
    );
    expect(valid.status).toBe(201);
    const res = await refused(request({ from: personUrn('01014922048') }), await write(), 400, {
      code: 'AM-00004',
      title: 'Unknown person',
    });
    expect(res.body.validationErrors).toEqual([
      { code: 'AM-00004', title: 'Unknown person', paths: ['/from'] },
    ]);
  });
});
