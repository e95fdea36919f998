import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/tokens.js';
import {
  CONSENT_PATH,
  consentBody,
  consentCounts,
  consentWorld,
  consumer as newConsumer,
  createConsent,
  http,
  orgUrnOf,
  personUrnOf,
  sql,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';
import { orgNumber, personNumber } from '../factories/orgs.js';
import { csrfOf, devLogin, FormClient, grantOrgRoles, textOf } from '../factories/portal-fixtures.js';
import { ADMIN_ORG, createResource } from '../factories/registry.js';

/**
 * The end-user portal over real HTTP (DESIGN §4.8, §10 "Portal forms", "Portal visibility"):
 * plain forms with `_csrf`, cookies, 303s; the database is read back after every decision.
 */

const CSP_BASE =
  "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

let t: TestApp;
let w: ConsentWorld;

beforeAll(async () => {
  t = await createTestApp();
  w = await consentWorld(t);
});
afterAll(async () => t?.close());

interface NewRequest {
  from?: string;
  resource?: string;
  metadata?: Record<string, string> | null;
  requestMessage?: Record<string, string>;
  redirectUrl?: string;
  requiredDelegator?: string;
  auth?: string;
  to?: string;
}

async function newRequest(o: NewRequest = {}): Promise<{ id: string; from: string }> {
  const from = o.from ?? personUrnOf(personNumber());
  const body = consentBody({
    to: o.to ?? w.consumer.org,
    resource: o.resource ?? w.resource,
    from,
    metadata: o.metadata,
    ...(o.requestMessage ? { requestMessage: o.requestMessage } : {}),
    ...(o.redirectUrl ? { redirectUrl: o.redirectUrl } : {}),
    ...(o.requiredDelegator ? { requiredDelegator: o.requiredDelegator } : {}),
  });
  const dto = await createConsent(t, o.auth ?? w.consumer.auth, body);
  return { id: dto.id as string, from };
}

const pidOf = (urn: string) => urn.split(':').pop()!;

async function stateOf(id: string) {
  const [row] = await sql(t, 'SELECT status, consented FROM consent_requests WHERE id = $1', [id]);
  const events = await sql(
    t,
    'SELECT event_type, performed_by FROM consent_events WHERE consent_request_id = $1 ORDER BY seq',
    [id],
  );
  const receipts = await sql(t, 'SELECT * FROM consent_receipts WHERE consent_request_id = $1', [id]);
  return {
    status: row.status as string,
    consented: row.consented as Date | null,
    events: events.map((e) => e.event_type as string),
    performedBy: events.map((e) => e.performed_by as string | null),
    receipts,
  };
}

async function loggedInSessions(): Promise<number> {
  const [r] = await sql(t, 'SELECT count(*)::int AS n FROM portal_sessions WHERE person_id IS NOT NULL');
  return r.n as number;
}

/** The consent text exactly as the request page embeds it. */
function consentArticle(html: string): { lang: string; html: string } {
  const m = /<article class="consent" lang="(\w+)">\n([\s\S]*?)\n<\/article>/.exec(html);
  if (!m) throw new Error('no consent article on the page');
  return { lang: m[1], html: m[2] };
}

function expectSecurityHeaders(headers: Headers, csp = CSP_BASE): void {
  expect({
    csp: headers.get('content-security-policy'),
    nosniff: headers.get('x-content-type-options'),
    referrer: headers.get('referrer-policy'),
    cache: headers.get('cache-control'),
  }).toEqual({ csp, nosniff: 'nosniff', referrer: 'no-referrer', cache: 'no-store' });
}

describe('login', () => {
  it('shows the development form with a CSRF field bound to a pre-session cookie', async () => {
    const c = new FormClient(t.url);
    const res = await c.get('/login?returnTo=%2Fconsent%2Factive&lang=en');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expectSecurityHeaders(res.headers);
    expect(res.body).toContain('<html lang="en">');
    expect(res.body).toMatch(/<input id="pid" name="pid"/);
    expect(res.body).toMatch(/<label for="pid"[^>]*>National identity number/);
    expect(csrfOf(res.body)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = res.headers.getSetCookie().find((s) => s.startsWith('consentgw_session='))!;
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\//i);
    expect(cookie).not.toMatch(/; Secure/i);
  });

  it('logs in with a valid national identity number: 303 to returnTo with a new session cookie', async () => {
    const c = new FormClient(t.url);
    const form = await c.get('/login');
    const preSession = c.jar.cookies.get('consentgw_session');
    const before = await loggedInSessions();
    const res = await c.post('/login', {
      pid: '02013299997',
      _csrf: csrfOf(form.body),
      returnTo: '/consent/active?lang=nn',
    });
    expect({ status: res.status, location: res.location }).toEqual({
      status: 303,
      location: '/consent/active?lang=nn',
    });
    expectSecurityHeaders(res.headers);
    const session = c.jar.cookies.get('consentgw_session');
    expect(session).toBeDefined();
    expect(session).not.toBe(preSession);
    expect(await loggedInSessions()).toBe(before + 1);
    const page = await c.get('/consent/active?lang=nn');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Innlogga som <span class="nowrap">020132 99997</span>');

    // The pre-session cookie is dead: login replaced the row (no session fixation).
    const stale = new FormClient(t.url);
    stale.jar.cookies.set('consentgw_session', preSession!);
    expect((await stale.get('/consent/active')).status).toBe(303);
  });

  it('refuses a login without _csrf, with a wrong _csrf, or without the pre-session cookie, and logs nobody in', async () => {
    const before = await loggedInSessions();
    const c = new FormClient(t.url);
    const form = await c.get('/login');
    const missing = await c.post('/login', { pid: '02013299997' });
    const wrong = await c.post('/login', {
      pid: '02013299997',
      _csrf: `${csrfOf(form.body).slice(0, -2)}xx`,
    });
    const noCookie = await new FormClient(t.url).post('/login', {
      pid: '02013299997',
      _csrf: csrfOf(form.body),
    });
    for (const res of [missing, wrong, noCookie]) {
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('<h1>Skjemaet er utløpt</h1>');
      expect(res.headers.getSetCookie().filter((s) => s.startsWith('consentgw_session='))).toEqual([]);
    }
    expect(await loggedInSessions()).toBe(before);
  });

  it('refuses an invalid national identity number with the form again, marked invalid', async () => {
    const before = await loggedInSessions();
    const c = new FormClient(t.url);
    const form = await c.get('/login?lang=en');
    for (const pid of ['02013299996', '1234', '', '<script>alert(1)</script>']) {
      const res = await c.post('/login', { pid, _csrf: csrfOf(form.body), lang: 'en' });
      expect(res.status).toBe(400);
      expect(res.body).toContain('aria-invalid="true"');
      expect(res.body).toContain('The national identity number is not valid.');
      expect(res.body).not.toContain('<script>alert(1)</script>');
    }
    expect(await loggedInSessions()).toBe(before);
  });

  it.each([
    ['//evil.example/steal', '/consent/active'],
    ['https://evil.example/steal', '/consent/active'],
    ['/\\evil.example', '/consent/active'],
    ['javascript:alert(1)', '/consent/active'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
    ['/consent/request?id=abc&lang=en', '/consent/request?id=abc&lang=en'],
  ])('sends the browser only to a same-site path after login (returnTo %s)', async (returnTo, expected) => {
    const c = new FormClient(t.url);
    const form = await c.get('/login');
    const res = await c.post('/login', { pid: personNumber(), _csrf: csrfOf(form.body), returnTo });
    expect({ status: res.status, location: res.location }).toEqual({ status: 303, location: expected });
  });

  it('expires sessions: an expired session is sent to login again', async () => {
    const c = await devLogin(t, personNumber());
    expect((await c.get('/consent/active')).status).toBe(200);
    await sql(
      t,
      "UPDATE portal_sessions SET expires_at = now() - interval '1 second' WHERE person_id IS NOT NULL",
    );
    const res = await c.get('/consent/active');
    expect({ status: res.status, location: res.location }).toEqual({
      status: 303,
      location: '/login?returnTo=%2Fconsent%2Factive&lang=nb',
    });
  });

  it('logs out with a POST carrying _csrf, after which the cookie is worthless', async () => {
    const c = await devLogin(t, personNumber());
    const page = await c.get('/consent/active');
    const cookie = c.jar.cookies.get('consentgw_session')!;
    expect((await c.post('/logout', { lang: 'en' })).status).toBe(403);
    expect((await c.get('/consent/active')).status).toBe(200);
    const res = await c.post('/logout', { _csrf: csrfOf(page.body), lang: 'en' });
    expect({ status: res.status, location: res.location }).toEqual({
      status: 303,
      location: '/login?lang=en',
    });
    const again = new FormClient(t.url);
    again.jar.cookies.set('consentgw_session', cookie);
    expect((await again.get('/consent/active')).status).toBe(303);
  });

  it('serves the one stylesheet', async () => {
    const res = await fetch(`${t.url}/consent/assets/portal.css`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await res.text()).toContain('.button');
  });
});

describe('the request page', () => {
  it('sends a visitor who is not logged in to the login page and back', async () => {
    const { id, from } = await newRequest();
    const c = new FormClient(t.url);
    const res = await c.get(`/consent/request?id=${id}&lang=en`);
    const returnTo = `/consent/request?id=${id}&lang=en`;
    expect({ status: res.status, location: res.location }).toEqual({
      status: 303,
      location: `/login?returnTo=${encodeURIComponent(returnTo)}&lang=en`,
    });
    const form = await c.get(res.location!);
    const login = await c.post('/login', {
      pid: pidOf(from),
      _csrf: csrfOf(form.body),
      returnTo: returnTo,
      lang: 'en',
    });
    expect(login.location).toBe(returnTo);
    expect((await c.get(login.location!)).status).toBe(200);
  });

  it('renders the request from its template and resource versions in nb, nn and en', async () => {
    const { id, from } = await newRequest({
      metadata: { inntektsaar: '2023' },
      requestMessage: { nb: 'Hei fra banken', nn: 'Hei frå banken', en: 'Hello from the bank' },
    });
    const c = await devLogin(t, pidOf(from));
    const org = w.consumer.org;
    const spaced = `${org.slice(0, 3)} ${org.slice(3, 6)} ${org.slice(6)}`;

    const nb = await c.get(`/consent/request?id=${id}`);
    expect(nb.status).toBe(200);
    expectSecurityHeaders(
      nb.headers,
      CSP_BASE.replace("form-action 'self'", "form-action 'self' https://bank.example"),
    );
    expect(nb.body).toContain('<html lang="nb">');
    expect(nb.body).toContain('<title>Samtykke til bruk av dine data – Samtykke</title>');
    expect(nb.body).toContain(`<h1>${spaced} ønsker å hente opplysninger om deg</h1>`);
    expect(nb.body).toContain(`<dd>org.nr. ${spaced}</dd>`);
    expect(nb.body).toContain('Hei fra banken');
    expect(nb.body).toContain('<h3>Inntektsopplysninger</h3>');
    expect(nb.body).toContain('<p>Inntekten din for <strong>2023</strong>.</p>');
    expect(nb.body).toMatch(/Samtykket er tidsavgrenset og utløper \d{1,2}\. \w+ \d{4} kl\. \d\d:\d\d\./);
    expect(nb.body).toContain(`<form method="post" action="/consent/request/${id}/accept">`);
    expect(nb.body).toContain(`<form method="post" action="/consent/request/${id}/reject">`);
    expect(nb.body).toContain('<input type="hidden" name="lang" value="nb">');
    expect(nb.body).toContain('>Godta</button>');
    expect(nb.body).toContain('>Avvis</button>');
    // Language switcher on the page, keeping the request id.
    expect(nb.body).toContain(
      `href="/consent/request?id=${id}&amp;lang=en" lang="en" hreflang="en">English</a>`,
    );
    expect(nb.body).toContain(
      `href="/consent/request?id=${id}&amp;lang=nn" lang="nn" hreflang="nn">Nynorsk</a>`,
    );

    const nn = await c.get(`/consent/request?id=${id}&lang=nn`);
    expect(nn.body).toContain('<html lang="nn">');
    expect(nn.body).toContain(`<h1>${spaced} ønskjer å hente opplysningar om deg</h1>`);
    expect(nn.body).toContain('<p>Inntekta di for <strong>2023</strong>.</p>');
    expect(nn.body).toContain('Hei frå banken');
    expect(nn.body).toContain('<h3>Inntektsopplysningar</h3>');

    const en = await c.get(`/consent/request?id=${id}&lang=en`);
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain(`<h1>${spaced} would like to retrieve information about you</h1>`);
    expect(en.body).toContain('<p>Your income for <strong>2023</strong>.</p>');
    expect(en.body).toContain('Hello from the bank');
    expect(en.body).toMatch(/The consent is time-limited and expires \d{1,2} \w+ \d{4} at \d\d:\d\d\./);
    expect(en.body).toContain('>Accept</button>');
    expect(en.body).toContain('>Reject</button>');

    const unknown = await c.get(`/consent/request?id=${id}&lang=de`);
    expect(unknown.body).toContain('<html lang="nb">');
  });

  it('names a registered organisation by name, says who handles the request, and uses one-time wording', async () => {
    const supplier = orgNumber();
    const admin = await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
    const reg = await http(t, 'PUT', `/admin/v1/owners/${`sup${supplier}`}`, admin, {
      orgNumber: supplier,
      name: { nb: 'Regnskap AS', nn: 'Rekneskap AS', en: 'Accounting Ltd' },
    });
    expect(reg.status).toBe(201);
    const viaSupplier = await newConsumer(t, w.consumer.org, [], supplier);
    const { id, from } = await newRequest({ auth: viaSupplier.auth, resource: w.oneTime });
    const c = await devLogin(t, pidOf(from));
    const en = await c.get(`/consent/request?id=${id}&lang=en`);
    expect(en.body).toContain(
      `<dt>Handled by</dt><dd>Accounting Ltd <span class="secondary-text nowrap">(org. no. ${supplier.slice(0, 3)} ${supplier.slice(3, 6)} ${supplier.slice(6)})</span></dd>`,
    );
    expect(en.body).toMatch(/Accounting Ltd retrieves the information on behalf of \d{3} \d{3} \d{3}\./);
    expect(en.body).toContain('The consent applies to a single disclosure of the information.');
    expect(en.body).not.toContain('time-limited');
    const nb = await c.get(`/consent/request?id=${id}`);
    expect(nb.body).toMatch(/Regnskap AS henter opplysningene på vegne av \d{3} \d{3} \d{3}\./);
    // No nynorsk message was sent: the bokmål one is shown, marked as bokmål.
    const nn = await c.get(`/consent/request?id=${id}&lang=nn`);
    expect(nn.body).toContain('<p class="message-text" lang="nb">Vi ber om samtykke</p>');
    expect(en.body).toContain('<p class="message-text">Please consent</p>');
  });

  it('answers 404 for an unknown or malformed id, without content', async () => {
    const c = await devLogin(t, personNumber());
    for (const id of ['0193a8f2-0000-7000-8000-000000000000', 'not-a-uuid', '']) {
      const res = await c.get(`/consent/request?id=${id}`);
      expect(res.status).toBe(404);
      expect(res.body).toContain('<h1>Fant ikke siden</h1>');
      expectSecurityHeaders(res.headers);
    }
  });
});

describe('safety of what is shown', () => {
  it('shows metadata, request messages and organisation names with HTML and markdown as plain text', async () => {
    const owner = w.owner;
    const res = await createResource(t, owner, {
      consentMetadata: { inntektsaar: { optional: false }, kilde: { optional: true } },
      consentText: {
        nb: 'År **{inntektsaar}** fra {kilde}. Les [vilkårene](https://example.no/vilkar) eller skriv til [oss](mailto:post@example.no). [Farlig](javascript:alert(1)) [relativ](/consent/active) <b>rå html</b> <script>alert("owner")</script> ![bilde](https://example.no/x.png)',
        nn: 'År **{inntektsaar}** frå {kilde}.',
        en: 'Year **{inntektsaar}** from {kilde}.',
      },
    });
    // The consumer registers itself as an owner with a hostile name (names are escaped too).
    const hostile = orgNumber();
    const admin = await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
    expect(
      (
        await http(t, 'PUT', `/admin/v1/owners/x${hostile}`, admin, {
          orgNumber: hostile,
          name: { nb: '<script>alert("org")</script> AS', nn: 'x', en: 'x' },
        })
      ).status,
    ).toBe(201);
    const hostileConsumer = await newConsumer(t, hostile);
    const { id, from } = await newRequest({
      auth: hostileConsumer.auth,
      to: hostile,
      resource: res.identifier,
      metadata: {
        inntektsaar: '<script>alert("meta")</script>',
        kilde:
          '[lenke](https://evil.example) **fet** <img src=x onerror=alert(1)> &amp; `kode`\n# overskrift',
      },
      requestMessage: {
        nb: '<script>alert("msg")</script><img src=x onerror=alert(2)> [klikk](https://evil.example)',
      },
    });
    const c = await devLogin(t, pidOf(from));
    const page = await c.get(`/consent/request?id=${id}`);
    expect(page.status).toBe(200);
    const { html } = consentArticle(page.body);

    // No script, image or event handler from anyone made it into the markup.
    expect(page.body).not.toMatch(/<script/i);
    expect(page.body).not.toMatch(/<img/i);
    expect(page.body).not.toMatch(/<b>/);
    expect(page.body).not.toMatch(/<[^>]*\sonerror=/i);
    expect(page.body).not.toContain('href="javascript:');
    expect(page.body).not.toContain('href="https://evil.example');
    expect(page.body).not.toContain('<h1>overskrift');
    // …but all of it is shown as text.
    expect(html).toContain('<strong>&lt;script&gt;alert(&quot;meta&quot;)&lt;/script&gt;</strong>');
    expect(textOf(html)).toContain(
      'fra [lenke](https://evil.example) **fet** <img src=x onerror=alert(1)> &amp; `kode` # overskrift.',
    );
    expect(textOf(html)).toContain(
      '<script>alert("msg")</script><img src=x onerror=alert(2)> [klikk](https://evil.example)',
    );
    expect(html).toContain(
      '<h1>&lt;script&gt;alert(&quot;org&quot;)&lt;/script&gt; AS ønsker å hente opplysninger om deg</h1>',
    );
    expect(textOf(html)).toContain('<b>rå html</b> <script>alert("owner")</script>');
    // The owner's own links work when they are http(s) or mailto, and nothing else becomes a link.
    expect(html).toContain('<a href="https://example.no/vilkar" rel="noopener noreferrer">vilkårene</a>');
    expect(html).toContain('<a href="mailto:post@example.no" rel="noopener noreferrer">oss</a>');
    expect(html).not.toContain('href="/consent/active"');
    // An image is not rendered as one (only its link remains), so nothing loads from elsewhere.
    expect(html).toContain('!<a href="https://example.no/x.png" rel="noopener noreferrer">bilde</a>');
    expect(html.match(/<a /g)).toHaveLength(3);

    // The receipt stores the same escaped text.
    expect((await c.post(`/consent/request/${id}/accept`, { _csrf: csrfOf(page.body) })).status).toBe(303);
    const [receipt] = (await stateOf(id)).receipts;
    expect(receipt.html).toBe(html);
    expect(receipt.html).not.toMatch(/<script|<img/i);
    const shown = await c.get(`/consent/receipt/${id}`);
    expect(shown.body).not.toMatch(/<script|<img/i);
  });
});

describe('who may see and decide', () => {
  it('shows another person a 403 page without the request, and lets them change nothing', async () => {
    const { id } = await newRequest({ requestMessage: { nb: 'Hemmelig melding' } });
    const other = await devLogin(t, personNumber());
    const before = await consentCounts(t);
    const page = await other.get(`/consent/request?id=${id}`);
    expect(page.status).toBe(403);
    expectSecurityHeaders(page.headers);
    expect(page.body).toContain('<h1>Du har ikke tilgang</h1>');
    expect(page.body).not.toContain('Hemmelig melding');
    expect(page.body).not.toContain('Inntekt');
    expect(page.body).not.toContain(w.consumer.org.slice(0, 3) + ' ' + w.consumer.org.slice(3, 6));
    expect(page.body).not.toContain('/accept');
    const csrf = csrfOf(page.body);
    for (const action of ['accept', 'reject']) {
      const res = await other.post(`/consent/request/${id}/${action}`, { _csrf: csrf });
      expect(res.status).toBe(403);
      expect(res.body).not.toContain('Hemmelig melding');
    }
    expect(await consentCounts(t)).toEqual(before);
    expect((await stateOf(id)).status).toBe('created');
  });

  it('lets a person with a role for the organisation decide, and nobody else', async () => {
    const org = orgNumber();
    const dagl = personNumber();
    const lede = personNumber();
    const regn = personNumber();
    await grantOrgRoles(t, org, dagl, ['DAGL']);
    await grantOrgRoles(t, org, lede, ['LEDE']);
    await grantOrgRoles(t, org, regn, ['REGN']);
    const { id } = await newRequest({ from: orgUrnOf(org) });

    const regnPage = await (await devLogin(t, regn)).get(`/consent/request?id=${id}`);
    expect(regnPage.status).toBe(403);
    const ledePage = await (await devLogin(t, lede)).get(`/consent/request?id=${id}&lang=en`);
    expect(ledePage.status).toBe(200);
    expect(ledePage.body).toContain('would like to retrieve information about');
    expect(ledePage.body).toContain(
      `<dt>Concerns</dt><dd>org. no. ${org.slice(0, 3)} ${org.slice(3, 6)} ${org.slice(6)}</dd>`,
    );

    const daglClient = await devLogin(t, dagl);
    const page = await daglClient.get(`/consent/request?id=${id}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<p class="kicker">Samtykke til bruk av data om');
    const res = await daglClient.post(`/consent/request/${id}/accept`, { _csrf: csrfOf(page.body) });
    expect(res.status).toBe(303);
    const state = await stateOf(id);
    expect(state.status).toBe('accepted');
    expect(state.receipts[0].accepted_by).toBe(personUrnOf(dagl));
  });

  it('honours the resource’s consentRoles instead of the default roles', async () => {
    const res = await createResource(t, w.owner, { consentRoles: ['REGN'] });
    const org = orgNumber();
    const dagl = personNumber();
    const regn = personNumber();
    await grantOrgRoles(t, org, dagl, ['DAGL']);
    await grantOrgRoles(t, org, regn, ['REGN']);
    const { id } = await newRequest({ from: orgUrnOf(org), resource: res.identifier });
    expect((await (await devLogin(t, dagl)).get(`/consent/request?id=${id}`)).status).toBe(403);
    expect((await (await devLogin(t, regn)).get(`/consent/request?id=${id}`)).status).toBe(200);
  });

  it('lets only the requiredDelegator decide when one is named', async () => {
    const org = orgNumber();
    const named = personNumber();
    const colleague = personNumber();
    await grantOrgRoles(t, org, named, ['DAGL']);
    await grantOrgRoles(t, org, colleague, ['DAGL']);
    const { id } = await newRequest({ from: orgUrnOf(org), requiredDelegator: personUrnOf(named) });
    const colleagueClient = await devLogin(t, colleague);
    const denied = await colleagueClient.get(`/consent/request?id=${id}`);
    expect(denied.status).toBe(403);
    expect(
      (await colleagueClient.post(`/consent/request/${id}/accept`, { _csrf: csrfOf(denied.body) })).status,
    ).toBe(403);
    expect((await stateOf(id)).status).toBe('created');
    expect((await (await devLogin(t, named)).get(`/consent/request?id=${id}`)).status).toBe(200);
  });

  it('never lets a requiredDelegator answer for another person', async () => {
    const named = personNumber();
    const { id } = await newRequest({ requiredDelegator: personUrnOf(named) });
    expect((await (await devLogin(t, named)).get(`/consent/request?id=${id}`)).status).toBe(403);
  });
});

describe('decisions', () => {
  it('accepts: stores the receipt of the exact text shown, one event, then 303 to redirectUrl with Status=OK', async () => {
    const { id, from } = await newRequest({ metadata: { inntektsaar: '2022' } });
    const c = await devLogin(t, pidOf(from));
    const page = await c.get(`/consent/request?id=${id}&lang=en`);
    const shown = consentArticle(page.body);
    const res = await c.post(`/consent/request/${id}/accept`, { _csrf: csrfOf(page.body), lang: 'en' });
    expect({ status: res.status, location: res.location }).toEqual({
      status: 303,
      location: 'https://bank.example/done?Status=OK',
    });

    const state = await stateOf(id);
    expect(state.status).toBe('accepted');
    expect(state.consented).not.toBeNull();
    expect(state.events).toEqual(['created', 'accepted']);
    expect(state.performedBy[1]).toBe(from);
    expect(state.receipts).toHaveLength(1);
    const [receipt] = state.receipts;
    const [versions] = await sql(
      t,
      'SELECT resource_versions, template_id, template_version FROM consent_requests WHERE id = $1',
      [id],
    );
    expect({
      language: receipt.language,
      html: receipt.html,
      templateId: receipt.template_id,
      templateVersion: receipt.template_version,
      resourceVersions: receipt.resource_versions,
      acceptedBy: receipt.accepted_by,
      acceptedAt: (receipt.accepted_at as Date).getTime(),
    }).toEqual({
      language: 'en',
      html: shown.html,
      templateId: versions.template_id,
      templateVersion: versions.template_version,
      resourceVersions: versions.resource_versions,
      acceptedBy: from,
      acceptedAt: (state.consented as Date).getTime(),
    });
    expect(receipt.text).toMatchObject({
      language: 'en',
      heading: expect.stringContaining('would like to retrieve information about you'),
      rights: [{ resource: w.resource, title: 'Income information', text: 'Your income for **2022**.' }],
    });

    // The page now says where the request stands instead of offering buttons.
    const after = await c.get(`/consent/request?id=${id}&lang=en`);
    expect(after.body).toContain('You have already accepted this request.');
    expect(after.body).not.toContain('/accept"');
    expect(after.body).toContain(`href="/consent/receipt/${id}?lang=en"`);
  });

  it('rejects: 303 to redirectUrl with Status=Failed and Altinn’s error message', async () => {
    const { id, from } = await newRequest();
    const c = await devLogin(t, pidOf(from));
    const page = await c.get(`/consent/request?id=${id}`);
    const res = await c.post(`/consent/request/${id}/reject`, { _csrf: csrfOf(page.body) });
    expect({ status: res.status, location: res.location }).toEqual({
      status: 303,
      location: 'https://bank.example/done?Status=Failed&ErrorMessage=User%20did%20not%20give%20consent',
    });
    const state = await stateOf(id);
    expect({ status: state.status, events: state.events, receipts: state.receipts.length }).toEqual({
      status: 'rejected',
      events: ['created', 'rejected'],
      receipts: 0,
    });
    const again = await c.get(`/consent/request?id=${id}`);
    expect(again.body).toContain('Denne forespørselen er avvist.');
    expect(again.body).not.toContain('/accept"');
  });

  it.each([
    ['https://app.example/#/consent/done', true, 'https://app.example/#/consent/done?Status=OK'],
    ['https://app.example/#/done?step=2', true, 'https://app.example/#/done?step=2&Status=OK'],
    [
      'https://app.example/cb?a=1#top',
      false,
      'https://app.example/cb?a=1&Status=Failed&ErrorMessage=User%20did%20not%20give%20consent#top',
    ],
    ['bankapp://consent/done', true, 'bankapp://consent/done?Status=OK'],
  ])('puts the result where the consumer’s router reads it (%s)', async (redirectUrl, accept, expected) => {
    const { id, from } = await newRequest({ redirectUrl });
    const c = await devLogin(t, pidOf(from));
    const page = await c.get(`/consent/request?id=${id}`);
    const origin = redirectUrl.startsWith('bankapp:') ? 'bankapp:' : 'https://app.example';
    expect(page.headers.get('content-security-policy')).toContain(`form-action 'self' ${origin};`);
    const res = await c.post(`/consent/request/${id}/${accept ? 'accept' : 'reject'}`, {
      _csrf: csrfOf(page.body),
    });
    expect(res.location).toBe(expected);
  });

  it('refuses a decision without or with a wrong _csrf with 403, changing nothing', async () => {
    const { id, from } = await newRequest();
    const c = await devLogin(t, pidOf(from));
    const page = await c.get(`/consent/request?id=${id}`);
    const otherSession = await devLogin(t, pidOf(from));
    const otherCsrf = csrfOf((await otherSession.get(`/consent/request?id=${id}`)).body);
    const before = await consentCounts(t);
    const attempts = [
      await c.post(`/consent/request/${id}/accept`, {}),
      await c.post(`/consent/request/${id}/accept`, { _csrf: '' }),
      await c.post(`/consent/request/${id}/accept`, { _csrf: 'x'.repeat(43) }),
      await c.post(`/consent/request/${id}/accept`, { _csrf: otherCsrf }),
      await c.post(`/consent/request/${id}/reject`, {}),
      await new FormClient(t.url).post(`/consent/request/${id}/accept`, { _csrf: csrfOf(page.body) }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(403);
      expect(res.body).toContain('<h1>Skjemaet er utløpt</h1>');
      expect(res.location).toBeNull();
    }
    expect(await consentCounts(t)).toEqual(before);
    expect(await stateOf(id)).toMatchObject({ status: 'created', events: ['created'], receipts: [] });
  });

  it('treats a double-submitted accept as one decision: one event, one receipt, both answers OK', async () => {
    const { id, from } = await newRequest();
    const c = await devLogin(t, pidOf(from));
    const page = await c.get(`/consent/request?id=${id}`);
    const csrf = csrfOf(page.body);
    const first = await c.post(`/consent/request/${id}/accept`, { _csrf: csrf });
    const second = await c.post(`/consent/request/${id}/accept`, { _csrf: csrf });
    const racing = await Promise.all(
      [1, 2, 3].map(() => c.post(`/consent/request/${id}/accept`, { _csrf: csrf })),
    );
    for (const res of [first, second, ...racing])
      expect(res.location).toBe('https://bank.example/done?Status=OK');
    const state = await stateOf(id);
    expect(state.events).toEqual(['created', 'accepted']);
    expect(state.receipts).toHaveLength(1);
  });

  it('treats two concurrent first accepts as one decision', async () => {
    const { id, from } = await newRequest();
    const a = await devLogin(t, pidOf(from));
    const b = await devLogin(t, pidOf(from));
    const [pa, pb] = await Promise.all([
      a.get(`/consent/request?id=${id}`),
      b.get(`/consent/request?id=${id}`),
    ]);
    const results = await Promise.all([
      a.post(`/consent/request/${id}/accept`, { _csrf: csrfOf(pa.body) }),
      b.post(`/consent/request/${id}/accept`, { _csrf: csrfOf(pb.body) }),
    ]);
    expect(results.map((r) => r.status)).toEqual([303, 303]);
    const state = await stateOf(id);
    expect(state.events).toEqual(['created', 'accepted']);
    expect(state.receipts).toHaveLength(1);
  });

  it('shows expired, cancelled and rejected requests with a message instead of buttons, and refuses decisions on them', async () => {
    const expired = await newRequest();
    await sql(t, "UPDATE consent_requests SET valid_to = now() - interval '1 minute' WHERE id = $1", [
      expired.id,
    ]);
    // Let the expiry sweeper write its event first, so "nothing changed" below is about us.
    for (let i = 0; i < 100 && (await stateOf(expired.id)).status !== 'expired'; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await stateOf(expired.id)).events).toEqual(['created', 'expired']);
    const cancelled = await newRequest();
    expect((await http(t, 'POST', `${CONSENT_PATH}/${cancelled.id}/cancel`, w.consumer.auth)).status).toBe(
      200,
    );

    for (const [req, text] of [
      [expired, 'The request has expired and can no longer be answered.'],
      [cancelled, 'The request was cancelled by the organisation that asked for consent'],
    ] as const) {
      const c = await devLogin(t, pidOf(req.from));
      const page = await c.get(`/consent/request?id=${req.id}&lang=en`);
      expect(page.status).toBe(200);
      expect(page.body).toContain(text);
      expect(page.body).toContain('role="status"');
      expect(page.body).not.toContain('/accept"');
      expect(page.body).not.toContain('/reject"');
      const before = await stateOf(req.id);
      const csrf = csrfOf(page.body);
      for (const action of ['accept', 'reject']) {
        const res = await c.post(`/consent/request/${req.id}/${action}`, { _csrf: csrf, lang: 'en' });
        expect(res.status).toBe(409);
        expect(res.body).toContain('<h1>The request cannot be answered</h1>');
        expect(res.body).toContain(text);
        expect(res.location).toBeNull();
      }
      expect(await stateOf(req.id)).toEqual(before);
    }
  });

  it('refuses to accept a request the person has already rejected', async () => {
    const { id, from } = await newRequest();
    const c = await devLogin(t, pidOf(from));
    const csrf = csrfOf((await c.get(`/consent/request?id=${id}`)).body);
    expect((await c.post(`/consent/request/${id}/reject`, { _csrf: csrf })).status).toBe(303);
    const res = await c.post(`/consent/request/${id}/accept`, { _csrf: csrf });
    expect(res.status).toBe(409);
    expect(await stateOf(id)).toMatchObject({
      status: 'rejected',
      events: ['created', 'rejected'],
      receipts: [],
    });
  });
});

describe('active consents, receipts and revoking', () => {
  it('lists the person’s own and their organisations’ consents, with receipts and revoke buttons', async () => {
    const pid = personNumber();
    const org = orgNumber();
    await grantOrgRoles(t, org, pid, ['DAGL']);
    const own = await newRequest({ from: personUrnOf(pid) });
    const forOrg = await newRequest({ from: orgUrnOf(org) });
    const pending = await newRequest({ from: personUrnOf(pid), resource: w.plain, metadata: null });
    const someoneElse = await newRequest();
    const c = await devLogin(t, pid);
    for (const r of [own, forOrg]) {
      const page = await c.get(`/consent/request?id=${r.id}`);
      expect((await c.post(`/consent/request/${r.id}/accept`, { _csrf: csrfOf(page.body) })).status).toBe(
        303,
      );
    }
    const list = await c.get('/consent/active?lang=en');
    expect(list.status).toBe(200);
    expectSecurityHeaders(list.headers);
    const active = list.body.slice(
      list.body.indexOf('id="active-heading"'),
      list.body.indexOf('id="pending-heading"'),
    );
    expect(active).toContain(`action="/consent/${own.id}/revoke"`);
    expect(active).toContain(`action="/consent/${forOrg.id}/revoke"`);
    expect(active).toContain(`href="/consent/receipt/${own.id}?lang=en"`);
    expect(active).toContain('<span class="ds-tag" data-color="success">Active</span>');
    const waiting = list.body.slice(
      list.body.indexOf('id="pending-heading"'),
      list.body.indexOf('id="earlier-heading"'),
    );
    expect(waiting).toContain(`href="/consent/request?id=${pending.id}&amp;lang=en"`);
    expect(list.body).not.toContain(someoneElse.id);
  });

  it('revokes with a CSRF-checked POST, then shows the consent as withdrawn', async () => {
    const { id, from } = await newRequest();
    const c = await devLogin(t, pidOf(from));
    const page = await c.get(`/consent/request?id=${id}`);
    await c.post(`/consent/request/${id}/accept`, { _csrf: csrfOf(page.body) });

    const before = await consentCounts(t);
    expect((await c.post(`/consent/${id}/revoke`, { lang: 'en' })).status).toBe(403);
    expect((await c.post(`/consent/${id}/revoke`, { _csrf: 'nope', lang: 'en' })).status).toBe(403);
    expect(await consentCounts(t)).toEqual(before);
    expect((await stateOf(id)).status).toBe('accepted');

    const list = await c.get('/consent/active?lang=en');
    const res = await c.post(`/consent/${id}/revoke`, { _csrf: csrfOf(list.body), lang: 'en' });
    expect({ status: res.status, location: res.location }).toEqual({
      status: 303,
      location: '/consent/active?lang=en&revoked=1',
    });
    const state = await stateOf(id);
    expect({ status: state.status, events: state.events, by: state.performedBy[2] }).toEqual({
      status: 'revoked',
      events: ['created', 'accepted', 'revoked'],
      by: from,
    });
    const after = await c.get(res.location!);
    expect(after.body).toContain('The consent has been withdrawn.');
    const earlier = after.body.slice(after.body.indexOf('id="earlier-heading"'));
    expect(earlier).toContain('<span class="ds-tag" data-color="neutral">Withdrawn</span>');
    expect(earlier).toMatch(/<dt>Withdrawn<\/dt><dd>\d{1,2} \w+ \d{4} at \d\d:\d\d<\/dd>/);
    expect(earlier).toContain(`href="/consent/receipt/${id}?lang=en"`);
    expect(after.body).not.toContain(`action="/consent/${id}/revoke"`);

    // Revoking twice is harmless; the request page says it is withdrawn.
    expect((await c.post(`/consent/${id}/revoke`, { _csrf: csrfOf(list.body) })).status).toBe(303);
    expect((await stateOf(id)).events).toEqual(['created', 'accepted', 'revoked']);
    expect((await c.get(`/consent/request?id=${id}&lang=en`)).body).toContain(
      'The consent has been withdrawn and no longer applies.',
    );
  });

  it('does not let another person revoke or read the receipt', async () => {
    const { id, from } = await newRequest();
    const c = await devLogin(t, pidOf(from));
    await c.post(`/consent/request/${id}/accept`, {
      _csrf: csrfOf((await c.get(`/consent/request?id=${id}`)).body),
    });
    const other = await devLogin(t, personNumber());
    const csrf = csrfOf((await other.get('/consent/active')).body);
    const before = await consentCounts(t);
    expect((await other.post(`/consent/${id}/revoke`, { _csrf: csrf })).status).toBe(403);
    expect(await consentCounts(t)).toEqual(before);
    expect((await stateOf(id)).status).toBe('accepted');
    const receipt = await other.get(`/consent/receipt/${id}`);
    expect(receipt.status).toBe(403);
    expect(receipt.body).not.toContain('Inntekt');
  });

  it('lets a colleague with a role revoke a consent given for the organisation', async () => {
    const org = orgNumber();
    const giver = personNumber();
    const colleague = personNumber();
    await grantOrgRoles(t, org, giver, ['DAGL']);
    await grantOrgRoles(t, org, colleague, ['LEDE']);
    const { id } = await newRequest({ from: orgUrnOf(org) });
    const g = await devLogin(t, giver);
    await g.post(`/consent/request/${id}/accept`, {
      _csrf: csrfOf((await g.get(`/consent/request?id=${id}`)).body),
    });
    const c = await devLogin(t, colleague);
    const list = await c.get('/consent/active');
    expect(list.body).toContain(`action="/consent/${id}/revoke"`);
    expect((await c.post(`/consent/${id}/revoke`, { _csrf: csrfOf(list.body) })).status).toBe(303);
    expect((await stateOf(id)).status).toBe('revoked');
  });

  it('shows the receipt: the stored text, its language, versions, time and who accepted', async () => {
    const { id, from } = await newRequest({ metadata: { inntektsaar: '2021' } });
    const c = await devLogin(t, pidOf(from));
    const page = await c.get(`/consent/request?id=${id}&lang=nn`);
    await c.post(`/consent/request/${id}/accept`, { _csrf: csrfOf(page.body), lang: 'nn' });
    const res = await c.get(`/consent/receipt/${id}?lang=en`);
    expect(res.status).toBe(200);
    expectSecurityHeaders(res.headers);
    expect(res.body).toContain('<h1>Consent receipt</h1>');
    expect(res.body).toContain('<dt>Shown in</dt><dd>Nynorsk</dd>');
    // Plain language: no template ids, no version UUIDs.
    expect(res.body).not.toContain('Template version');
    expect(res.body).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}<\/(li|dd)>/);
    expect(res.body).toContain('<dt>Details</dt><dd><ul class="plain"><li>inntektsaar: 2021</li></ul></dd>');
    const pid = pidOf(from);
    expect(res.body).toContain(
      `<dt>Accepted by</dt><dd>national ID no. ${pid.slice(0, 6)} ${pid.slice(6)}</dd>`,
    );
    expect(res.body).toContain('<article class="consent receipt" lang="nn">');
    expect(res.body).toContain(consentArticle(page.body).html);
    expect(res.body).toContain('<p>Inntekta di for <strong>2021</strong>.</p>');
  });

  it('answers 404 for the receipt of a request that was never accepted', async () => {
    const { id, from } = await newRequest();
    const c = await devLogin(t, pidOf(from));
    expect((await c.get(`/consent/receipt/${id}`)).status).toBe(404);
    expect((await c.get('/consent/receipt/not-a-uuid')).status).toBe(404);
  });
});

describe('in production', () => {
  let prod: TestApp;
  beforeAll(async () => {
    prod = await createTestApp({
      db: t.db,
      env: {
        NODE_ENV: 'production',
        DATABASE_URL: t.db.url.startsWith('postgres') ? t.db.url : 'postgresql://unused@127.0.0.1:1/unused',
        KEY_ENCRYPTION_SECRET: 'portal-test-secret-0123456789',
        OIDC_ISSUER: 'https://127.0.0.1:9/',
        OIDC_CLIENT_ID: 'portal-test',
      },
    });
  });
  afterAll(async () => prod?.close());

  it('refuses the development login form', async () => {
    const get = await fetch(`${prod.url}/login?returnTo=%2Fconsent%2Factive`, { redirect: 'manual' });
    // With OIDC configured, GET /login hands over to it; the form itself never appears.
    expect({ status: get.status, location: get.headers.get('location') }).toEqual({
      status: 303,
      location: '/login/oidc?returnTo=%2Fconsent%2Factive&lang=nb',
    });
    const before = await loggedInSessions();
    const post = await new FormClient(prod.url).post('/login', { pid: '02013299997', _csrf: 'x' });
    expect(post.status).toBe(404);
    expect(post.body).not.toContain('name="pid"');
    expect(await loggedInSessions()).toBe(before);
  });

  it('marks the session cookie Secure (and __Host-) in production', async () => {
    const res = await fetch(`${prod.url}/login/oidc`, { redirect: 'manual' });
    // The issuer is unreachable here: the login cannot start, but the pre-session cookie shows its flags.
    expect(res.status).toBe(503);
    const cookie = res.headers.getSetCookie().find((s) => s.startsWith('__Host-consentgw_session='))!;
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\//i);
  });
});
