import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { consentCounts, sql } from '../../factories/consent-fixtures.js';
import { textOf, type FormClient, type PageResult } from '../../factories/portal-fixtures.js';
import {
  altinnWorld,
  asConsumer,
  createFixture,
  daysFromNow,
  decide,
  elena,
  moveIntoPast,
  ORG,
  orgUrn,
  PERSON,
  personUrn,
  revoke,
} from '../../factories/altinn-world.js';

/**
 * Port of Altinn's ConsentControllerTestBFF (Altinn/altinn-authorization-tmp,
 * src/apps/Altinn.AccessManagement/test/AccessMgmt.Tests/Integration/Controllers/Bff/
 * ConsentControllerTestBFF.cs) onto our end-user portal: Altinn's BFF is the JSON backend of its
 * consent pages; ours are server-rendered forms (DESIGN §4.8), so each BFF call maps onto the page
 * or form that does the same for the person, and the outcome Altinn asserts on its JSON is read
 * where we keep it — the page, the consumer API (`GET /consentrequests/{id}`), the receipt.
 *
 *   BFF GET consentrequests/{id}        → GET /consent/request?id=
 *   BFF POST consentrequests/{id}/accept → POST /consent/request/{id}/accept (303 to redirectUrl)
 *   BFF POST consentrequests/{id}/reject → POST /consent/request/{id}/reject
 *   BFF GET consentrequests/list/{party} → GET /consent/active (the person's list)
 *   BFF GET consents/{id}               → GET /consent/receipt/{id} (the consent as given)
 *   BFF POST consents/{id}/revoke        → POST /consent/{id}/revoke
 *
 * Altinn's refusals are 400 problems with a code (AM-00002, AM-00010, AM-00015, AM.VLD-00022);
 * the portal answers a person's form with a 409 page saying where the request stands, and
 * nothing changes. Altinn's six GetConsentRequestCount_* tests exercise BFF
 * `consentrequests/count/{party}`, the unread counter of Altinn's inbox, which the portal has no
 * counterpart for (docs/altinn-compatibility.md); they are not ported.
 *
 * Altinn gives every test a fresh database; here every test starts from no consent requests (the
 * registry world stays) and creates its fixtures under new ids, since the ids are not the point.
 */

let t: TestApp;
let person: FormClient;

beforeAll(async () => {
  t = await createTestApp();
  await altinnWorld(t);
  person = await elena(t);
});
beforeEach(async () => {
  await sql(t, 'DELETE FROM consent_requests');
});
afterAll(async () => t?.close());

const ED44 = 'e2071c55-6adf-487b-af05-9198a230ed44';
const ED46 = 'e2071c55-6adf-487b-af05-9198a230ed46';
const ACCESS_PACKAGE = '2fe8bd3e-d482-4170-8c09-f44cf31797ce';
const NO_MESSAGE = 'e579b7a2-7994-4636-9aca-59e114915b70';
const REQUIRED_DELEGATOR = 'a4253d59-b40f-409a-a3f7-c6395f065192';
const REDIRECT = 'https:///www.urlfromsavedreqest.com';

/** Altinn's GetRequest(id, validTo): the fixture, valid until `validTo`, under a fresh id. */
async function fixture(file: string, validTo = daysFromNow(10)): Promise<string> {
  return (await createFixture(t, file, { validTo, id: randomUUID() })).id;
}

interface Stored {
  status: string;
  template_id: string;
  handled_by: string | null;
  portal_view_mode: string;
  events: [string, string | null][];
  receipts: { language: string; resource_versions: Record<string, string> }[];
}

/** The request as stored: its row, its history and its receipts. */
async function stored(id: string): Promise<Stored> {
  const [row] = (await sql(
    t,
    'SELECT status, template_id, handled_by, portal_view_mode FROM consent_requests WHERE id = $1',
    [id],
  )) as Omit<Stored, 'events' | 'receipts'>[];
  const events = (await sql(
    t,
    'SELECT event_type, performed_by FROM consent_events WHERE consent_request_id = $1 ORDER BY seq',
    [id],
  )) as { event_type: string; performed_by: string | null }[];
  const receipts = (await sql(
    t,
    'SELECT language, resource_versions FROM consent_receipts WHERE consent_request_id = $1',
    [id],
  )) as Stored['receipts'];
  return { ...row, events: events.map((e) => [e.event_type, e.performed_by]), receipts };
}

const bank = orgUrn(ORG.smekkFullBank);
const elenaUrn = personUrn(PERSON.elenaFjaer);

/** The page shows the request to the person: heading, both rights, and the decision forms. */
function expectRequestPage(page: PageResult, id: string, titles: string[]): void {
  expect(page.status).toBe(200);
  const text = textOf(page.body);
  expect(text).toContain('SmekkFull Bank AS ønsker å hente opplysninger om deg');
  for (const title of titles) expect(page.body).toContain(`<h3>${title}</h3>`);
  expect(page.body).toContain(`action="/consent/request/${id}/accept"`);
  expect(page.body).toContain(`action="/consent/request/${id}/reject"`);
}

/** The cards of one section of /consent/active. */
function section(page: PageResult, heading: 'active' | 'pending' | 'earlier'): string {
  const from = page.body.indexOf(`id="${heading}-heading"`);
  const next = ['active', 'pending', 'earlier'].indexOf(heading) + 1;
  const to =
    next < 3 ? page.body.indexOf(`id="${['active', 'pending', 'earlier'][next]}-heading"`) : undefined;
  return page.body.slice(from, to);
}
// A consent or request on the portal list is a Designsystemet card (`<li class="ds-card" …>`).
const cards = (html: string) => html.match(/<li class="ds-card"/g)?.length ?? 0;

/** A refused decision: the 409 page says where the request stands; nothing changed. */
async function refusedFor(id: string, attempt: () => Promise<PageResult>, notice: string): Promise<void> {
  const before = { counts: await consentCounts(t), state: await stored(id) };
  const res = await attempt();
  expect(res.status).toBe(409);
  expect(textOf(res.body)).toContain(notice);
  expect({ counts: await consentCounts(t), state: await stored(id) }).toEqual(before);
}

describe('Altinn ConsentControllerTestBFF (through the portal)', () => {
  // Altinn: ConsentControllerTestBFF.GetConsentRequest_PortalModeHide_Returns200WithConsentRequestDetailsAndHidePortalViewMode
  it('GetConsentRequest_PortalModeHide_Returns200WithConsentRequestDetailsAndHidePortalViewMode', async () => {
    const id = await fixture(ED44);
    expectRequestPage(await person.get(`/consent/request?id=${id}`), id, [
      'Skattegrunnlag',
      'Inntektsopplysninger',
    ]);
    const details = (await asConsumer(t, id)).body;
    expect(details).toMatchObject({
      id,
      from: elenaUrn,
      to: bank,
      redirectUrl: REDIRECT,
      portalViewMode: 'hide',
    });
    expect(details.consentRights[0].resource[0].type).toBe('urn:altinn:resource');
  });

  // Altinn: ConsentControllerTestBFF.GetConsentRequest_WithAccessPackage_Returns200WithConsentRequestDetails
  it('GetConsentRequest_WithAccessPackage_Returns200WithConsentRequestDetails', async () => {
    // ttd_skattegrunnlag3 is not delegable (Altinn: needs an access package); Elena answers for herself.
    const id = await fixture(ACCESS_PACKAGE);
    expectRequestPage(await person.get(`/consent/request?id=${id}`), id, [
      'Skattegrunnlag3',
      'Inntektsopplysninger',
    ]);
    expect((await asConsumer(t, id)).body).toMatchObject({ from: elenaUrn, to: bank, redirectUrl: REDIRECT });
  });

  // Altinn: ConsentControllerTestBFF.GetConsentRequest_PortalModeShow_Returns200WithConsentRequestDetailsAndShowPortalViewMode
  it('GetConsentRequest_PortalModeShow_Returns200WithConsentRequestDetailsAndShowPortalViewMode', async () => {
    const id = await fixture(ED46);
    expectRequestPage(await person.get(`/consent/request?id=${id}`), id, [
      'Skattegrunnlag',
      'Inntektsopplysninger',
    ]);
    expect((await asConsumer(t, id)).body).toMatchObject({
      from: elenaUrn,
      to: bank,
      portalViewMode: 'show',
    });
  });

  // Altinn: ConsentControllerTestBFF.GetConsentRequest_Expired_Returns200OkWithCreatedAndExpiredEvents
  it('GetConsentRequest_Expired_Returns200OkWithCreatedAndExpiredEvents', async () => {
    const id = await fixture(ED44, daysFromNow(-1));
    const page = await person.get(`/consent/request?id=${id}`);
    expect(page.status).toBe(200);
    expect(textOf(page.body)).toContain('Forespørselen er utløpt og kan ikke lenger besvares.');
    expect(page.body).not.toContain('/accept"');
    // Altinn adds an `Expired` event when it reads the request; ours is a real one (DESIGN §4.7).
    const details = (await asConsumer(t, id)).body;
    expect(details.consentRequestEvents.map((e: { eventType: string }) => e.eventType)).toEqual([
      'created',
      'expired',
    ]);
  });

  // Altinn: ConsentControllerTestBFF.GetConsentRequest_WithoutRequestMessage_Returns200OkWithNullMessage
  it('GetConsentRequest_WithoutRequestMessage_Returns200OkWithNullMessage', async () => {
    const id = await fixture(NO_MESSAGE);
    const page = await person.get(`/consent/request?id=${id}`);
    expectRequestPage(page, id, ['Skattegrunnlag', 'Inntektsopplysninger']);
    expect(page.body).not.toContain('class="message"');
    expect(textOf(page.body)).toContain('Testdepartement'); // handledBy Digitaliseringsdirektoratet (ttd)
    const details = (await asConsumer(t, id)).body;
    expect(details).toMatchObject({
      from: elenaUrn,
      to: bank,
      handledBy: orgUrn(ORG.digitaliseringsdirektoratet),
      requestMessage: null,
      redirectUrl: REDIRECT,
    });
    // Altinn: templateId "sblanesoknad", version 1 — ours the template it maps to.
    expect((await stored(id)).template_id).toBe('default');
  });

  // Altinn: ConsentControllerTestBFF.AcceptRequest_Valid_Returns200WithAcceptedConsentRequestEvent
  it('AcceptRequest_Valid_Returns200WithAcceptedConsentRequestEvent', async () => {
    const id = await fixture(ED44);
    const res = await decide(person, id, true);
    expect({ status: res.status, location: res.location }).toEqual({
      status: 303,
      location: `${REDIRECT}?Status=OK`,
    });
    expect((await stored(id)).events).toEqual([
      ['created', bank],
      ['accepted', elenaUrn],
    ]);
  });

  // Altinn: ConsentControllerTestBFF.AcceptRequest_ValidAccessPackage_Returns200WithAcceptedConsentRequestEvent
  it('AcceptRequest_ValidAccessPackage_Returns200WithAcceptedConsentRequestEvent', async () => {
    const id = await fixture(ACCESS_PACKAGE);
    expect((await decide(person, id, true)).status).toBe(303);
    expect((await stored(id)).events).toEqual([
      ['created', bank],
      ['accepted', elenaUrn],
    ]);
  });

  // Altinn: ConsentControllerTestBFF.AcceptRequest_ValidToExpired_Returns400WithTimeNotInFutureValidationError
  it('AcceptRequest_ValidToExpired_Returns400WithTimeNotInFutureValidationError', async () => {
    const id = await fixture(ED44, daysFromNow(-10));
    // Altinn: 400 with AM.VLD-00022 (time not in the future).
    await refusedFor(
      id,
      () => decide(person, id, true),
      'Forespørselen er utløpt og kan ikke lenger besvares.',
    );
    expect((await stored(id)).status).toBe('expired');
  });

  // Altinn: ConsentControllerTestBFF.AcceptRequestWithRequiredDelegator_Valid_Returns200WithAcceptedConsentRequestEvent
  it('AcceptRequestWithRequiredDelegator_Valid_Returns200WithAcceptedConsentRequestEvent', async () => {
    const id = await fixture(REQUIRED_DELEGATOR);
    expect((await asConsumer(t, id)).body.requiredDelegator).toBe(elenaUrn);
    expect((await decide(person, id, true)).status).toBe(303);
    expect((await stored(id)).events).toEqual([
      ['created', bank],
      ['accepted', elenaUrn],
    ]);
  });

  // Altinn: ConsentControllerTestBFF.AcceptRequest_AlreadyRejected_Returns400WithConsentCantBeAcceptedError
  it('AcceptRequest_AlreadyRejected_Returns400WithConsentCantBeAcceptedError', async () => {
    const id = await fixture(ED44);
    expect((await decide(person, id, false)).status).toBe(303);
    // Altinn: 400 AM-00002.
    await refusedFor(id, () => decide(person, id, true), 'Denne forespørselen er avvist.');
  });

  // Altinn: ConsentControllerTestBFF.RejectRequest_Valid_Returns200Ok
  it('RejectRequest_Valid_Returns200Ok', async () => {
    const id = await fixture(ED44);
    const res = await decide(person, id, false);
    expect({ status: res.status, location: res.location }).toEqual({
      status: 303,
      location: `${REDIRECT}?Status=Failed&ErrorMessage=User%20did%20not%20give%20consent`,
    });
    expect((await stored(id)).status).toBe('rejected');
  });

  // Altinn: ConsentControllerTestBFF.ListRequests_OneValid_Returns200WithSingleConsentRequest
  it('ListRequests_OneValid_Returns200WithSingleConsentRequest', async () => {
    const id = await fixture(ED44);
    const list = await person.get('/consent/active');
    expect(list.status).toBe(200);
    expect(cards(list.body)).toBe(1);
    expect(section(list, 'pending')).toContain(`href="/consent/request?id=${id}&amp;lang=nb"`);
  });

  // Altinn: ConsentControllerTestBFF.ListRequests_OneValidHiddenOneValidShow_Returns200WithBothConsentRequests
  it('ListRequests_OneValidHiddenOneValidShow_Returns200WithBothConsentRequests', async () => {
    const hidden = await fixture(ED44);
    const shown = await fixture(ED46);
    const pending = section(await person.get('/consent/active'), 'pending');
    expect(cards(pending)).toBe(2);
    expect(pending).toContain(`?id=${hidden}&amp;`);
    expect(pending).toContain(`?id=${shown}&amp;`);
    expect([(await stored(hidden)).portal_view_mode, (await stored(shown)).portal_view_mode]).toEqual([
      'hide',
      'show',
    ]);
  });

  // Altinn: ConsentControllerTestBFF.ListRequests_OneAcceptedAndExpired_Returns200WithAcceptedAndExpiredEvents
  it('ListRequests_OneAcceptedAndExpired_Returns200WithAcceptedAndExpiredEvents', async () => {
    // Altinn inserts an accepted request whose validTo is already past; here it is accepted while
    // valid, then its validTo passes.
    const id = await fixture(ED44);
    expect((await decide(person, id, true)).status).toBe(303);
    await moveIntoPast(t, id, daysFromNow(-10));
    const list = await person.get('/consent/active?lang=en');
    expect(cards(list.body)).toBe(1);
    expect(section(list, 'earlier')).toMatch(/<dt>Status<\/dt><dd><span class="ds-tag"[^>]*>Expired<\/span>/);
    const events = (await stored(id)).events.map(([type]) => type);
    expect(events).toEqual(['created', 'accepted', 'expired']);
  });

  // Altinn: ConsentControllerTestBFF.ListRequests_OneRejectedOneValid_Returns200WithBothConsentRequests
  it('ListRequests_OneRejectedOneValid_Returns200WithBothConsentRequests', async () => {
    const first = await fixture(NO_MESSAGE);
    const second = await fixture(ED44);
    for (const id of [first, second]) expect((await decide(person, id, false)).status).toBe(303);
    const list = await person.get('/consent/active');
    expect(cards(list.body)).toBe(2);
    expect(cards(section(list, 'earlier'))).toBe(2);
  });

  // Altinn: ConsentControllerTestBFF.RejectRequest_AlreadyAccepted_Returns400WithConsentCantBeRejectedError
  it('RejectRequest_AlreadyAccepted_Returns400WithConsentCantBeRejectedError', async () => {
    const id = await fixture(ED44);
    expect((await decide(person, id, true)).status).toBe(303);
    // Altinn: 400 AM-00015.
    await refusedFor(id, () => decide(person, id, false), 'Du har allerede godtatt denne forespørselen.');
    expect((await stored(id)).status).toBe('accepted');
  });

  // Altinn: ConsentControllerTestBFF.GetConsent_Valid_Returns200WithConsent
  it('GetConsent_Valid_Returns200WithConsent', async () => {
    const id = await fixture(ED44);
    expect((await decide(person, id, true)).status).toBe(303);
    const receipt = await person.get(`/consent/receipt/${id}`);
    expect(receipt.status).toBe(200);
    expect(textOf(receipt.body)).toContain('Skattegrunnlaget ditt fra 2017-06 til 2017-08.');
    const versions = await sql(
      t,
      `SELECT DISTINCT ON (resource_identifier) resource_identifier AS identifier, version_id::text
         FROM resource_versions WHERE resource_identifier IN ('ttd_skattegrunnlag', 'ttd_inntektsopplysninger')
        ORDER BY resource_identifier, seq DESC`,
    );
    const state = await stored(id);
    // Altinn: context language nb, resource versions "1" and "4" (its registry's); ours the
    // registry versions the request was made under.
    expect(state.receipts).toEqual([
      {
        language: 'nb',
        resource_versions: Object.fromEntries(versions.map((v) => [v.identifier, v.version_id])),
      },
    ]);
    expect(state.events).toHaveLength(2);
  });

  // Altinn: ConsentControllerTestBFF.RevokeRequest_Valid_Returns200WithRevokedConsentRequestEvent
  it('RevokeRequest_Valid_Returns200WithRevokedConsentRequestEvent', async () => {
    const id = await fixture(ED44);
    expect((await decide(person, id, true)).status).toBe(303);
    const res = await revoke(person, id);
    expect({ status: res.status, location: res.location }).toEqual({
      status: 303,
      location: '/consent/active?lang=nb&revoked=1',
    });
    expect((await stored(id)).events).toEqual([
      ['created', bank],
      ['accepted', elenaUrn],
      ['revoked', elenaUrn],
    ]);
  });

  // Altinn: ConsentControllerTestBFF.RevokeRequest_NotAccepted_Returns400WithConsentCantBeRevokedError
  it('RevokeRequest_NotAccepted_Returns400WithConsentCantBeRevokedError', async () => {
    const id = await fixture(ED44);
    // Altinn: 400 AM-00010.
    await refusedFor(id, () => revoke(person, id), 'Ingenting er endret.');
    expect((await stored(id)).status).toBe('created');
  });
});
