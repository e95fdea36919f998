import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Scopes } from '../../../src/common/auth/scopes.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { mintToken } from '../../helpers/tokens.js';
import { csrfOf } from '../../factories/portal-fixtures.js';
import {
  altinnWorld,
  elena,
  K6_RESOURCE,
  ORG,
  orgUrn,
  PERSON,
  personUrn,
} from '../../factories/altinn-world.js';

/**
 * Port of Altinn's k6 consent suite (Altinn/altinn-platform-validation-tests,
 * K6/api/tests/access-management/consent/run-all.js with post-consent.js,
 * consent-request-events.js and lookup.js, through the clients in
 * K6/clients/access-management/consent-enterprise/ and the building blocks and domain checks they
 * call) as one test: the same requests, in the same order, with the same checks, against our
 * service. The person's step (k6: the AM UI BFF's approve) is our portal's accept form.
 *
 * Differences DESIGN decides, asserted as ours: `status` is lowercase (k6 checks `Accepted`); the
 * approve answers 303 to the consumer (the BFF 200); `links.next` is a path, which the port
 * resolves against the service's URL as any HTTP client resolves a relative reference (Altinn
 * writes an absolute URL). k6's lookup test reads consents generated earlier in yt01; here it
 * looks up the one this run made. The events step needs more than one page: the organisation has
 * two events here, so the page size is 1 (k6 runs against organisations with many events).
 */

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ env: { CONSENT_EVENTS_PAGE_SIZE: '1' } });
  await altinnWorld(t);
});
afterAll(async () => t?.close());

interface Res {
  status: number;
  statusText: string;
  text: string;
}

async function call(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Res> {
  const res = await fetch(url.startsWith('http') ? url : `${t.url}${url}`, { method, headers, body });
  return { status: res.status, statusText: res.statusText, text: await res.text() };
}

/** k6's building blocks: the status code and text, then a body that parses. */
function parsed(res: Res, status: number, statusText: string): Record<string, unknown> {
  expect(`${res.status} ${res.statusText}`).toBe(`${status} ${statusText}`);
  return JSON.parse(res.text) as Record<string, unknown>;
}

describe('Altinn k6 consent suite (run-all.js)', () => {
  // Altinn: K6/api/tests/access-management/consent/run-all.js — post-consent.js, consent-request-events.js, lookup.js
  it('post-consent → consent-request-events → lookup, the same requests in the same order', async () => {
    const org = ORG.smekkFullBank; // randomItem(consentee-orgs)
    const ssn = PERSON.elenaFjaer; // randomItem(consenter-persons)
    const consentId = randomUUID(); // uuidv4()
    const from = personUrn(ssn);
    const to = orgUrn(org);
    const BASE = '/accessmanagement/api/v1/enterprise';

    // ── post-consent.js ──
    const consentee = await mintToken(t, {
      org,
      scope: [Scopes.consentRequestsWrite, Scopes.consentRequestsRead],
    });

    // "Request the consent": EnterpriseCreateConsentRequest with ConsentRequestBuilder's body.
    const createdRes = await call(
      'POST',
      `${BASE}/consentrequests`,
      {
        Authorization: `Bearer ${consentee}`,
        'Content-Type': 'application/json',
        Accept: 'application/json',
      },
      JSON.stringify({
        id: consentId,
        from,
        requiredDelegator: null,
        to,
        validTo: new Date(Date.now() + 14 * 86_400_000).toISOString(),
        consentRights: [
          {
            action: ['consent'],
            resource: [{ type: 'urn:altinn:resource', value: K6_RESOURCE }],
            metaData: { inntektsaar: '2026' },
          },
        ],
        requestMessage: null,
        redirectUrl: 'https://altinn.no',
        portalViewMode: null,
      }),
    );
    const created = parsed(createdRes, 201, 'Created');
    // CheckConsentRequestCreated
    expect({ id: created.id, from: created.from, to: created.to }).toEqual({ id: consentId, from, to });
    for (const field of ['id', 'status', 'viewUri']) expect(created[field] ?? null).not.toBeNull();
    // CheckConsentRights
    const granted = (created.consentRights as { resource: { value: string }[] }[]).flatMap((r) =>
      r.resource.map((x) => x.value),
    );
    expect(granted).toContain(K6_RESOURCE);
    const consentRequestId = created.id as string; // CheckConsentRequestId

    // "Approve the consent as the person it was asked of": the person's accept (language nb).
    const person = await elena(t);
    const page = await person.get(`/consent/request?id=${consentRequestId}&lang=nb`);
    expect(page.status).toBe(200);
    const approved = await person.post(`/consent/request/${consentRequestId}/accept`, {
      _csrf: csrfOf(page.body),
      lang: 'nb',
    });
    // CheckConsentApproved — the BFF answers 200; the portal sends the browser on to the consumer.
    expect({ status: approved.status, location: approved.location }).toEqual({
      status: 303,
      location: 'https://altinn.no?Status=OK',
    });

    // "The approved consent request is accepted": EnterpriseGetConsentRequest.
    const current = parsed(
      await call('GET', `${BASE}/consentrequests/${consentRequestId}`, {
        Authorization: `Bearer ${consentee}`,
        Accept: 'application/json',
      }),
      200,
      'OK',
    );
    expect(current.status).toBe('accepted'); // k6: CheckConsentRequestStatus(…, "Accepted")

    // "The consent shows up in the log of the person who gave it": GetConsentLog → the person's list.
    const log = await person.get('/consent/active');
    expect(log.status).toBe(200);
    expect(log.body).toContain(`action="/consent/${consentRequestId}/revoke"`);

    // "Maskinporten can look the granted consent up": LookupConsent (POST …/consent/lookup/).
    const maskinporten = await mintToken(t, {
      org: ORG.digitaliseringsdirektoratet,
      scope: Scopes.consentLookup,
    });
    const lookupBody = JSON.stringify({ id: consentId, from, to });
    const lookupHeaders = {
      Authorization: `Bearer ${maskinporten}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    };
    const looked = parsed(
      await call('POST', '/accessmanagement/api/v1/maskinporten/consent/lookup/', lookupHeaders, lookupBody),
      200,
      'OK',
    );
    expect(looked).toMatchObject({ id: consentId, from, to }); // CheckConsentResponse: a body

    // ── consent-request-events.js ──
    const events = await mintToken(t, { org, scope: Scopes.consentRequestsRead });
    const first = parsed(
      await call('GET', `${BASE}/consentrequests/events`, {
        Authorization: `Bearer ${events}`,
        Accept: 'application/json',
      }),
      200,
      'OK',
    ) as { data: unknown[]; links: { next: string | null } };
    // CheckPaginatedShape, CheckPaginatedNotEmpty
    expect(Array.isArray(first.data) && first.links !== null && first.links !== undefined).toBe(true);
    expect(first.data.length).toBeGreaterThan(0);
    // followNextUrlPagination(token, links.next, MAX_PAGES = 10)
    const seen = new Set<string>();
    let additionalPages = 0;
    let previousBody: string | null = null;
    let next = first.links.next;
    while (next && additionalPages < 10) {
      expect(seen.has(next)).toBe(false); // "Pagination URL does not repeat."
      seen.add(next);
      const res = await call('GET', new URL(next, t.url).toString(), {
        Authorization: `Bearer ${events}`,
        'Content-type': 'application/json',
      });
      expect(res.status).toBe(200); // "Next page status is 200."
      expect(res.text.length).toBeGreaterThan(0); // "Next page body is not empty."
      expect(res.text).not.toBe(previousBody); // "Next page returns new values."
      previousBody = res.text;
      next = (JSON.parse(res.text) as { links: { next: string | null } }).links.next;
      additionalPages++;
    }
    expect(1 + additionalPages).toBeGreaterThan(1); // CheckMultiplePages

    // ── lookup.js ── (a granted consent, as Maskinporten looks it up)
    const again = parsed(
      await call('POST', '/accessmanagement/api/v1/maskinporten/consent/lookup/', lookupHeaders, lookupBody),
      200,
      'OK',
    );
    expect(again).toEqual(looked);
  });
});
