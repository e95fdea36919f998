import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, mintToken } from '../helpers/tokens.js';
import {
  CONSENT_PATH,
  consentCounts,
  consumer as newConsumer,
  http,
  LOOKUP_PATH,
  orgUrnOf,
  personUrnOf,
  sql,
  type Consumer,
} from '../factories/consent-fixtures.js';
import { proxy, registerApi, startUpstream, type Upstream } from '../factories/gateway-fixtures.js';
import { personNumber } from '../factories/orgs.js';
import { csrfOf, devLogin, textOf, type FormClient } from '../factories/portal-fixtures.js';
import { expectProblem } from '../factories/problems.js';
import { createResource, registerOwner, type TestOwner } from '../factories/registry.js';
import { consumerWithClient, requestToken, type TestClient } from '../factories/token-fixtures.js';
import { verifyIssued } from '../factories/token-world.js';
import { eventually, startReceiver, subscribe, type Receiver } from '../factories/webhook-fixtures.js';

/**
 * Partial acceptance (issue 23 item 3, beyond Altinn) end to end over real HTTP: the consumer's
 * opt-in and its refusals, the portal's checkbox form (subset, none, a required right left out,
 * forged indexes, CSRF), what is stored, the API and webhook outcome, the token's
 * `authorization_details`, the issuer lookup, the gateway (a declined right's API is refused),
 * the receipt (page and signed) and the person's export.
 */

let t: TestApp;
let upstream: Upstream;
let receiver: Receiver;
let owner: TestOwner;
let scope: string;
let client: TestClient;
let bank: Consumer;
/** Income (needs `inntektsaar`) and tax (no metadata): two resources on the default template. */
let income: string;
let tax: string;

const right = (resource: string, extra: Record<string, unknown> = {}) => ({
  action: ['consent'],
  resource: [{ type: 'urn:altinn:resource', value: resource }],
  metadata: resource === income ? { inntektsaar: '2024' } : null,
  ...extra,
});

function body(rights: unknown[], extra: Record<string, unknown> = {}, from = personUrnOf(personNumber())) {
  return {
    id: randomUUID(),
    from,
    to: orgUrnOf(bank.org),
    validTo: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    consentRights: rights,
    redirectUrl: 'https://bank.example/done',
    ...extra,
  };
}

/** A request with income (required) and tax (optional) from a fresh person. */
async function partialRequest(): Promise<{ id: string; pid: string }> {
  const pid = personNumber();
  const res = await http(
    t,
    'POST',
    CONSENT_PATH,
    bank.auth,
    body([right(income, { required: true }), right(tax)], { allowPartialAcceptance: true }, personUrnOf(pid)),
  );
  expect(res.status).toBe(201);
  return { id: res.body.id as string, pid };
}

async function stored(id: string) {
  const [row] = await sql(t, 'SELECT status, partial_acceptance FROM consent_requests WHERE id = $1', [id]);
  const receipts = await sql(t, 'SELECT text, html FROM consent_receipts WHERE consent_request_id = $1', [
    id,
  ]);
  return { status: row.status as string, partial: row.partial_acceptance as unknown, receipts };
}

async function requestPage(c: FormClient, id: string) {
  const page = await c.get(`/consent/request?id=${id}&lang=en`);
  expect(page.status).toBe(200);
  return page;
}

beforeAll(async () => {
  t = await createTestApp();
  upstream = await startUpstream();
  receiver = await startReceiver();
  const world = await consumerWithClient(t);
  client = world.client;
  scope = world.scope.name;
  owner = await registerOwner(t, { orgNumber: world.scope.ownerOrg });
  const references = [{ referenceSource: 'Default', reference: scope, referenceType: 'MaskinportenScope' }];
  income = (await createResource(t, owner, { resourceReferences: references })).identifier;
  tax = (
    await createResource(t, owner, {
      resourceReferences: references,
      title: { nb: 'Skatteoppgjør', nn: 'Skatteoppgjer', en: 'Tax assessment' },
      consentMetadata: {},
      consentText: { nb: 'Skatteoppgjøret ditt.', nn: 'Skatteoppgjeret ditt.', en: 'Your tax assessment.' },
    })
  ).identifier;
  bank = await newConsumer(t, client.orgNumber);
});

afterAll(async () => {
  await t?.close();
  await upstream?.close();
  await receiver?.stop();
});

describe('the consumer opts in per request', () => {
  it('an Altinn request (no member) is stored and shown exactly as before', async () => {
    const res = await http(t, 'POST', CONSENT_PATH, bank.auth, body([right(income), right(tax)]));
    expect(res.status).toBe(201);
    expect(res.body).not.toHaveProperty('allowPartialAcceptance');
    expect(res.body.consentRights).toEqual([right(income), right(tax)]);
    expect((await stored(res.body.id as string)).partial).toBeNull();
  });

  it('with allowPartialAcceptance, the request says so and marks the required right', async () => {
    const { id } = await partialRequest();
    const res = await http(t, 'GET', `${CONSENT_PATH}/${id}`, bank.read);
    expect(res.status).toBe(200);
    expect(res.body.allowPartialAcceptance).toBe(true);
    // Not decided yet: no `accepted` on any right.
    expect(res.body.consentRights).toEqual([right(income, { required: true }), right(tax)]);
    expect(await stored(id)).toEqual({ status: 'created', partial: { required: [0] }, receipts: [] });
  });

  it('allowPartialAcceptance: false is the same as leaving it out', async () => {
    const res = await http(
      t,
      'POST',
      CONSENT_PATH,
      bank.auth,
      body([right(income), right(tax)], { allowPartialAcceptance: false }),
    );
    expect(res.status).toBe(201);
    expect(res.body).not.toHaveProperty('allowPartialAcceptance');
    expect((await stored(res.body.id as string)).partial).toBeNull();
  });

  describe.each([
    [
      'a single right (nothing to choose between)',
      () => body([right(income)], { allowPartialAcceptance: true }),
      'PA-00001',
      '/allowPartialAcceptance',
      "'allowPartialAcceptance' needs at least two rights to choose between; this request has one.",
    ],
    [
      "'required' without the opt-in",
      () => body([right(income, { required: true }), right(tax)]),
      'PA-00002',
      '/consentRights/0/required',
      "'required' only means something with 'allowPartialAcceptance': true.",
    ],
    [
      'every right required',
      () =>
        body([right(income, { required: true }), right(tax, { required: true })], {
          allowPartialAcceptance: true,
        }),
      'PA-00003',
      '/consentRights',
      "Every right is marked 'required', which leaves the person nothing to choose: leave 'allowPartialAcceptance' out for an all-or-nothing request.",
    ],
    [
      'allowPartialAcceptance that is not a boolean',
      () => body([right(income), right(tax)], { allowPartialAcceptance: 'yes' }),
      'STD.VLD-00001',
      '/allowPartialAcceptance',
      "'allowPartialAcceptance' must be true or false.",
    ],
    [
      "'required' that is not a boolean",
      () => body([right(income), right(tax, { required: 1 })], { allowPartialAcceptance: true }),
      'STD.VLD-00001',
      '/consentRights/1/required',
      "'required' must be true or false.",
    ],
  ])('%s', (_name, make, code, path, detail) => {
    it(`is 400 ${code} naming ${path}, and nothing is stored`, async () => {
      const before = await consentCounts(t);
      const res = await http(t, 'POST', CONSENT_PATH, bank.auth, make());
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect({ code: res.body.code, detail: res.body.detail }).toEqual({ code, detail });
      expect(res.body.validationErrors).toEqual([expect.objectContaining({ code, paths: [path] })]);
      expect(await consentCounts(t)).toEqual(before);
    });
  });
});

describe('the portal accept form', () => {
  it('shows one unticked checkbox per right in a fieldset with a legend, the required one marked', async () => {
    const { id, pid } = await partialRequest();
    const page = await requestPage(await devLogin(t, pid), id);
    expect(page.body).not.toContain('<script');
    expect(page.body).toMatch(
      /<fieldset class="ds-fieldset rights-choice"[^>]*>\s*<legend class="ds-label">Choose what you consent to<\/legend>/,
    );
    const boxes = [
      ...page.body.matchAll(
        /<input class="ds-input" type="checkbox" id="right-(\d)" name="right" value="(\d)"([^>]*)>/g,
      ),
    ];
    expect(boxes.map((b) => [b[1], b[2], b[3].includes('checked')])).toEqual([
      ['0', '0', false],
      ['1', '1', false],
    ]);
    expect(page.body).toContain(
      '<label class="ds-label" for="right-0">Income information (inntektsaar: 2024)</label>',
    );
    expect(page.body).toContain('<label class="ds-label" for="right-1">Tax assessment</label>');
    expect(page.body).toMatch(/id="right-0"[^>]*aria-describedby="right-0-required"/);
    expect(textOf(page.body)).toContain('Required The request can only be accepted with this.');
    expect(page.body).toContain(`action="/consent/request/${id}/reject"`);
    expect(page.body).toContain('Reject all');
  });

  it('refuses a post without the CSRF field with 403; nothing changes', async () => {
    const { id, pid } = await partialRequest();
    const c = await devLogin(t, pid);
    await requestPage(c, id);
    const res = await c.post(`/consent/request/${id}/accept`, { right: ['0', '1'], lang: 'en' });
    expect(res.status).toBe(403);
    expect(await stored(id)).toEqual({ status: 'created', partial: { required: [0] }, receipts: [] });
  });

  it('answers nothing ticked with the page again (400) and an error summary; nothing changes', async () => {
    const { id, pid } = await partialRequest();
    const c = await devLogin(t, pid);
    const page = await requestPage(c, id);
    const res = await c.post(`/consent/request/${id}/accept`, { _csrf: csrfOf(page.body), lang: 'en' });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(
      /<div class="ds-error-summary" role="alert">[\s\S]*<a href="#right-0">Choose at least one, or reject the request\.<\/a>/,
    );
    expect(res.body).toMatch(/aria-describedby="rights-choice-hint rights-choice-error"/);
    expect(res.body).toMatch(/id="right-0"[^>]*aria-invalid="true"/);
    expect(await stored(id)).toEqual({ status: 'created', partial: { required: [0] }, receipts: [] });
  });

  it('answers a required right left out with the page again (400), the optional one still ticked', async () => {
    const { id, pid } = await partialRequest();
    const c = await devLogin(t, pid);
    const page = await requestPage(c, id);
    const res = await c.post(`/consent/request/${id}/accept`, {
      _csrf: csrfOf(page.body),
      right: '1',
      lang: 'en',
    });
    expect(res.status).toBe(400);
    expect(res.body).toContain(
      '<a href="#right-0">“Income information” is required: the request can only be accepted with it.</a>',
    );
    expect(res.body).toMatch(/id="right-0"[^>]*aria-invalid="true"/);
    expect(res.body).toMatch(/id="right-1" name="right" value="1" checked/);
    expect(await stored(id)).toEqual({ status: 'created', partial: { required: [0] }, receipts: [] });
  });

  it.each([[['7']], [['abc']], [['1', '1']], [['-1']], [['0', '01']]])(
    'answers a forged right %j with 400 and changes nothing',
    async (rights) => {
      const { id, pid } = await partialRequest();
      const c = await devLogin(t, pid);
      const page = await requestPage(c, id);
      const res = await c.post(`/consent/request/${id}/accept`, {
        _csrf: csrfOf(page.body),
        right: rights,
        lang: 'en',
      });
      expect(res.status).toBe(400);
      expect(res.body).toContain('The form did not match the request. Please choose again.');
      expect(await stored(id)).toEqual({ status: 'created', partial: { required: [0] }, receipts: [] });
    },
  );

  it('refuses a `right` field on a request that did not opt in (its page has no checkboxes)', async () => {
    const pid = personNumber();
    const res = await http(
      t,
      'POST',
      CONSENT_PATH,
      bank.auth,
      body([right(income), right(tax)], {}, personUrnOf(pid)),
    );
    const id = res.body.id as string;
    const c = await devLogin(t, pid);
    const page = await requestPage(c, id);
    expect(page.body).not.toContain('type="checkbox"');
    const post = await c.post(`/consent/request/${id}/accept`, {
      _csrf: csrfOf(page.body),
      right: '0',
      lang: 'en',
    });
    expect(post.status).toBe(400);
    expect(await stored(id)).toEqual({ status: 'created', partial: null, receipts: [] });
  });

  it('rejecting from the choice page rejects the whole request', async () => {
    const { id, pid } = await partialRequest();
    const c = await devLogin(t, pid);
    const page = await requestPage(c, id);
    const res = await c.post(`/consent/request/${id}/reject`, { _csrf: csrfOf(page.body), lang: 'en' });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^https:\/\/bank\.example\/done\?.*Status=Failed/);
    expect(await stored(id)).toEqual({ status: 'rejected', partial: { required: [0] }, receipts: [] });
  });
});

describe('a consent accepted in part (income accepted, tax declined)', () => {
  let id: string;
  let pid: string;
  let c: FormClient;

  beforeAll(async () => {
    await subscribe(t, bank.org, receiver.url, ['accepted']);
    ({ id, pid } = await partialRequest());
    c = await devLogin(t, pid);
    const page = await requestPage(c, id);
    const res = await c.post(`/consent/request/${id}/accept`, {
      _csrf: csrfOf(page.body),
      right: '0',
      lang: 'en',
    });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^https:\/\/bank\.example\/done\?.*Status=OK/);
  });

  it('is accepted, with the declined right stored beside the required one', async () => {
    const s = await stored(id);
    expect({ status: s.status, partial: s.partial }).toEqual({
      status: 'accepted',
      partial: { required: [0], declined: [1] },
    });
  });

  it('keeps in the receipt exactly what was accepted and declined', async () => {
    const [receipt] = (await stored(id)).receipts;
    expect(receipt.text.rights).toEqual([
      expect.objectContaining({ title: 'Income information', required: true, accepted: true }),
      expect.objectContaining({ title: 'Tax assessment', accepted: false }),
    ]);
    expect(receipt.text.partialSummary).toMatch(
      /^You accepted 1 of 2\. .* gets no access to what you declined\.$/,
    );
    expect(textOf(receipt.html)).toMatch(/Income information Accepted[\s\S]*Tax assessment Declined/);
    // The receipt page embeds that text; the request page now shows it too.
    const receiptPage = await c.get(`/consent/receipt/${id}?lang=en`);
    expect(textOf(receiptPage.body)).toMatch(/You accepted 1 of 2/);
    const page = await requestPage(c, id);
    expect(page.body).not.toContain('type="checkbox"');
    expect(textOf(page.body)).toMatch(/Tax assessment Declined/);
  });

  it("names only the accepted right on the person's list and the receipt's summary", async () => {
    const list = await c.get('/consent/active?lang=en');
    const card = list.body.split('<li class="ds-card"').find((li) => li.includes(`/consent/receipt/${id}?`));
    expect(card).toMatch(/<h3>Income information<\/h3>/);
    expect(card).not.toContain('Tax assessment');
    const receiptPage = await c.get(`/consent/receipt/${id}?lang=en`);
    expect(receiptPage.body).toMatch(/Consent to: Income information</);
  });

  it('signs the accepted and declined rights into the signed receipt', async () => {
    const jws = (await c.get(`/consent/receipt/${id}/signed`)).body;
    const { payload } = await jwtVerify(jws, createRemoteJWKSet(new URL(`${t.url}/jwk`)));
    expect({ accepted: payload.acceptedRights, declined: payload.declinedRights }).toEqual({
      accepted: [0],
      declined: [1],
    });
  });

  it('shows the consumer each right with `accepted` through the API', async () => {
    const res = await http(t, 'GET', `${CONSENT_PATH}/${id}`, bank.read);
    expect(res.body.status).toBe('accepted');
    expect(res.body.consentRights).toEqual([
      right(income, { required: true, accepted: true }),
      right(tax, { accepted: false }),
    ]);
  });

  it('sends consent.accepted with the accepted and declined rights', async () => {
    const delivery = await eventually(
      () => receiver.received.find((d) => d.body?.data?.consentRequestId === id),
      15_000,
      'the consent.accepted delivery',
    );
    expect(delivery.body.type).toBe('consent.accepted');
    expect(delivery.body.data).toEqual({
      consentRequestId: id,
      eventType: 'accepted',
      changedDate: expect.any(String),
      acceptedRights: [right(income)],
      declinedRights: [right(tax)],
    });
  });

  it('answers the issuer lookup with the accepted right only', async () => {
    const auth = await bearer(t, { org: bank.org, scope: 'altinn:maskinporten/consent.read' });
    const res = await http(t, 'POST', LOOKUP_PATH, auth, {
      id,
      from: personUrnOf(pid),
      to: orgUrnOf(bank.org),
    });
    expect(res.status).toBe(200);
    expect(res.body.consentRights).toEqual([right(income)]);
  });

  it("puts it in the person's export with each right's outcome", async () => {
    const res = await c.get('/consent/export');
    expect(res.status).toBe(200);
    const exported = (
      JSON.parse(res.body) as { consents: { id: string; consentRights: unknown }[] }
    ).consents.find((x) => x.id === id);
    expect(exported?.consentRights).toEqual([
      right(income, { required: true, accepted: true }),
      right(tax, { accepted: false }),
    ]);
  });

  describe('a token from /token and the gateway', () => {
    let token: string;

    beforeAll(async () => {
      const res = await requestToken(t, client, {
        claims: { authorization_details: [{ type: 'urn:altinn:consent', id, from: personUrnOf(pid) }] },
      });
      expect(res.status).toBe(200);
      token = res.body.access_token as string;
    });

    it('carries only the accepted right in authorization_details', async () => {
      const details = (await verifyIssued(t, token)).authorization_details as Record<string, unknown>[];
      expect(details[0].consentRights).toEqual([right(income)]);
    });

    it("passes a call to the accepted right's API", async () => {
      const api = await registerApi(
        t,
        { owner, resource: income, scope, consumer: bank.org },
        {
          upstreamUrl: upstream.url,
          consentResources: [income],
        },
      );
      const before = upstream.hits.length;
      const res = await proxy(t, `/proxy/${api}/income`, { auth: `Bearer ${token}` });
      expect(res.status).toBe(200);
      expect(upstream.hits.length).toBe(before + 1);
    });

    it("refuses a call to the declined right's API with 403 GW-00006, reaching no upstream", async () => {
      const api = await registerApi(
        t,
        { owner, resource: tax, scope, consumer: bank.org },
        {
          upstreamUrl: upstream.url,
          consentResources: [tax],
        },
      );
      const before = upstream.hits.length;
      const res = await proxy(t, `/proxy/${api}/tax`, { auth: `Bearer ${token}` });
      expectProblem(
        res,
        403,
        'GW-00006',
        'The consent does not give the action "consent" on any consent resource this API honours.',
      );
      expect(upstream.hits.length).toBe(before);
    });

    it('refuses a forged token that carries the declined right too (401 GW-00009)', async () => {
      const detail = ((await verifyIssued(t, token)).authorization_details as Record<string, unknown>[])[0];
      const forged = await mintToken(t, {
        org: bank.org,
        scope,
        authorizationDetails: [{ ...detail, consentRights: [right(income), right(tax)] }],
      });
      const api = await registerApi(
        t,
        { owner, resource: tax, scope, consumer: bank.org },
        {
          upstreamUrl: upstream.url,
          consentResources: [tax],
        },
      );
      const before = upstream.hits.length;
      const res = await proxy(t, `/proxy/${api}/tax`, { auth: `Bearer ${forged}` });
      expect({ status: res.status, code: res.body?.code }).toEqual({ status: 401, code: 'GW-00009' });
      expect(upstream.hits.length).toBe(before);
    });
  });
});

describe('an Altinn request accepted beside them', () => {
  it("keeps Altinn's consent.accepted data (no accepted or declined rights)", async () => {
    const pid = personNumber();
    const created = await http(
      t,
      'POST',
      CONSENT_PATH,
      bank.auth,
      body([right(income), right(tax)], {}, personUrnOf(pid)),
    );
    const id = created.body.id as string;
    const c = await devLogin(t, pid);
    const page = await requestPage(c, id);
    expect(
      (await c.post(`/consent/request/${id}/accept`, { _csrf: csrfOf(page.body), lang: 'en' })).status,
    ).toBe(303);
    const delivery = await eventually(
      () => receiver.received.find((d) => d.body?.data?.consentRequestId === id),
      15_000,
      'the consent.accepted delivery',
    );
    expect(Object.keys(delivery.body.data as object).sort()).toEqual([
      'changedDate',
      'consentRequestId',
      'eventType',
    ]);
  });
});

describe('a partial request accepted in full', () => {
  it('is accepted with nothing declined; the token carries both rights', async () => {
    const { id, pid } = await partialRequest();
    const c = await devLogin(t, pid);
    const page = await requestPage(c, id);
    const res = await c.post(`/consent/request/${id}/accept`, {
      _csrf: csrfOf(page.body),
      right: ['0', '1'],
      lang: 'en',
    });
    expect(res.status).toBe(303);
    expect((await stored(id)).partial).toEqual({ required: [0], declined: [] });
    const api = await http(t, 'GET', `${CONSENT_PATH}/${id}`, bank.read);
    expect(api.body.consentRights.map((r: { accepted: boolean }) => r.accepted)).toEqual([true, true]);
    const token = await requestToken(t, client, {
      claims: { authorization_details: [{ type: 'urn:altinn:consent', id, from: personUrnOf(pid) }] },
    });
    const details = (await verifyIssued(t, token.body.access_token as string))
      .authorization_details as Record<string, unknown>[];
    expect(details[0].consentRights).toEqual([right(income), right(tax)]);
  });
});
