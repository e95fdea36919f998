import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { Scopes } from '../../src/common/auth/scopes.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/tokens.js';
import {
  CONSENT_PATH,
  consentBody,
  consentCounts,
  consentWorld,
  createConsent,
  orgUrnOf,
  personUrnOf,
  sql,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';
import { startUpstream, type Upstream } from '../factories/gateway-fixtures.js';
import { useConsentAtGateway } from '../factories/usage-fixtures.js';
import { orgNumber, personNumber } from '../factories/orgs.js';
import { csrfOf, devLogin, textOf, type FormClient } from '../factories/portal-fixtures.js';
import { ADMIN_ORG } from '../factories/registry.js';

/**
 * Issue 21 over real HTTP: names instead of numbers, withdrawing with a confirmation step,
 * plain receipts and signed receipts verified with jose against `/jwk`, and the usage log —
 * the gateway records real calls, the person sees them on the card, the consumer and the owner
 * read them through the consent API (and nobody else).
 */

let t: TestApp;
let w: ConsentWorld;
let upstream: Upstream;

const CONSUMER_NAME = 'Lånebanken ASA';
/** A logo with a script in it: served, but never allowed to run in our origin. */
const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>';
let logoDir: string;

beforeAll(async () => {
  logoDir = mkdtempSync(path.join(tmpdir(), 'p21-logo-'));
  writeFileSync(path.join(logoDir, 'logo.svg'), LOGO);
  t = await createTestApp({
    env: {
      PORTAL_OPERATOR_NAME: 'Testdirektoratet',
      PORTAL_CONTACT_EMAIL: 'hjelp@test.example',
      PORTAL_OPERATOR_LOGO_FILE: path.join(logoDir, 'logo.svg'),
    },
  });
  w = await consentWorld(t);
  upstream = await startUpstream();
  // The consumer in the organisation register (today: the owner registry), so pages name it.
  const res = await fetch(`${t.url}/admin/v1/owners/bank${w.consumer.org}`, {
    method: 'PUT',
    headers: {
      authorization: await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' }),
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      orgNumber: w.consumer.org,
      name: { nb: CONSUMER_NAME, nn: CONSUMER_NAME, en: CONSUMER_NAME },
    }),
  });
  expect(res.status).toBe(201);
}, 60_000);

afterAll(async () => {
  await upstream?.close();
  await t?.close();
  rmSync(logoDir, { recursive: true, force: true });
});

const formatted = (org: string) => `${org.slice(0, 3)} ${org.slice(3, 6)} ${org.slice(6)}`;

/** A request from a fresh person, accepted through the portal; the person's browser session. */
async function acceptedByPerson(
  lang = 'nb',
  metadata: Record<string, string> = { inntektsaar: '2024' },
): Promise<{ id: string; pid: string; c: FormClient }> {
  const pid = personNumber();
  const dto = await createConsent(
    t,
    w.consumer.auth,
    consentBody({ to: w.consumer.org, resource: w.resource, from: personUrnOf(pid), metadata }),
  );
  const c = await devLogin(t, pid);
  const page = await c.get(`/consent/request?id=${dto.id as string}&lang=${lang}`);
  const res = await c.post(`/consent/request/${dto.id as string}/accept`, { _csrf: csrfOf(page.body), lang });
  expect(res.status).toBe(303);
  return { id: dto.id as string, pid, c };
}

describe('names, not numbers', () => {
  it('names who asks and who holds the data, with the number as secondary text', async () => {
    const { id, c } = await acceptedByPerson('en');
    const request = await c.get(`/consent/request?id=${id}&lang=en`);
    expect(request.body).toContain(
      `<dt>Requested by</dt><dd>${CONSUMER_NAME} <span class="secondary-text nowrap">(org. no. ${formatted(w.consumer.org)})</span></dd>`,
    );
    expect(request.body).toContain(
      `<dt>The information is fetched from</dt><dd>Agency ${w.owner.orgcode} <span class="secondary-text nowrap">(org. no. ${formatted(w.owner.orgNumber)})</span></dd>`,
    );
    const list = await c.get('/consent/active?lang=en');
    const card = list.body.slice(
      list.body.indexOf('id="active-heading"'),
      list.body.indexOf('id="pending-heading"'),
    );
    expect(card).toContain(`<dt>Requested by</dt><dd>${CONSUMER_NAME} <span`);
    expect(card).toContain('<dt>Details</dt><dd><ul class="plain"><li>inntektsaar: 2024</li></ul></dd>');
  });

  it('says which of the consumer’s clients asked ("via …") when its name tells more than the organisation’s', async () => {
    const dcr = await bearer(t, { org: w.consumer.org, scope: [Scopes.dcrRead, Scopes.dcrWrite] });
    const created = await fetch(`${t.url}/api/v1/clients`, {
      method: 'POST',
      headers: { authorization: dcr, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Lånesøknad på nett',
        scopes: [],
        integration_type: 'maskinporten',
        token_endpoint_auth_method: 'private_key_jwt',
      }),
    });
    expect(created.status).toBe(201);
    const clientId = ((await created.json()) as { client_id: string }).client_id;
    const viaClient = await bearer(t, {
      org: w.consumer.org,
      clientId,
      scope: [Scopes.consentRequestsWrite],
    });
    const pid = personNumber();
    const dto = await createConsent(
      t,
      viaClient,
      consentBody({ to: w.consumer.org, resource: w.resource, from: personUrnOf(pid) }),
    );
    const c = await devLogin(t, pid);
    const page = await c.get(`/consent/request?id=${dto.id as string}&lang=nb`);
    expect(page.body).toContain(
      `<dt>Forespurt av</dt><dd>${CONSUMER_NAME} via Lånesøknad på nett <span class="secondary-text nowrap">(org.nr. ${formatted(w.consumer.org)})</span></dd>`,
    );
    const list = await c.get('/consent/active?lang=en');
    expect(list.body).toContain(`${CONSUMER_NAME} via Lånesøknad på nett <span`);
    // A request made by a client without a registered name says only who asks.
    const { id, c: other } = await acceptedByPerson('en');
    expect((await other.get(`/consent/request?id=${id}&lang=en`)).body).not.toContain(' via ');
  });

  it('falls back to the formatted number for an organisation nobody named', async () => {
    const unnamed = await (await import('../factories/consent-fixtures.js')).consumer(t);
    const pid = personNumber();
    const dto = await createConsent(
      t,
      unnamed.auth,
      consentBody({ to: unnamed.org, resource: w.resource, from: personUrnOf(pid) }),
    );
    const c = await devLogin(t, pid);
    const page = await c.get(`/consent/request?id=${dto.id as string}&lang=nb`);
    expect(page.body).toContain(`<dt>Forespurt av</dt><dd>org.nr. ${formatted(unnamed.org)}</dd>`);
  });
});

describe('withdrawing with a confirmation step', () => {
  it('asks first, says what stops and what may already be fetched, then withdraws on the form', async () => {
    const { id, c } = await acceptedByPerson('nb');
    const list = await c.get('/consent/active?lang=nb');
    // The list's button is a GET form to the confirmation page; nothing changes by opening it.
    expect(list.body).toContain(`<form method="get" action="/consent/${id}/revoke">`);
    const confirm = await c.get(`/consent/${id}/revoke?lang=nb`);
    expect(confirm.status).toBe(200);
    expect(confirm.body).toContain('<h1>Vil du trekke tilbake samtykket?</h1>');
    const text = textOf(confirm.body);
    expect(text).toContain(
      `Når du trekker tilbake samtykket, kan ${CONSUMER_NAME} ikke lenger hente opplysningene med dette samtykket`,
    );
    expect(text).toContain(`Opplysninger som allerede er hentet, blir ikke slettet automatisk`);
    expect(confirm.body).toContain(`<form method="post" action="/consent/${id}/revoke">`);
    expect((await sql(t, 'SELECT status FROM consent_requests WHERE id = $1', [id]))[0].status).toBe(
      'accepted',
    );

    const res = await c.post(`/consent/${id}/revoke`, { _csrf: csrfOf(confirm.body), lang: 'nb' });
    expect({ status: res.status, location: res.location }).toEqual({
      status: 303,
      location: '/consent/active?lang=nb&revoked=1',
    });
    expect((await sql(t, 'SELECT status FROM consent_requests WHERE id = $1', [id]))[0].status).toBe(
      'revoked',
    );
    // Opened again: no form, only where it stands.
    const again = await c.get(`/consent/${id}/revoke?lang=en`);
    expect(again.status).toBe(200);
    expect(again.body).not.toContain('method="post" action="/consent/');
    expect(again.body).toContain('The consent has been withdrawn and no longer applies.');
  });

  it('sends the person to the request page when there is nothing to withdraw yet', async () => {
    const pid = personNumber();
    const open = await createConsent(
      t,
      w.consumer.auth,
      consentBody({ to: w.consumer.org, resource: w.resource, from: personUrnOf(pid) }),
    );
    const c = await devLogin(t, pid);
    const res = await c.get(`/consent/${open.id as string}/revoke?lang=en`);
    expect({ status: res.status, location: res.location }).toEqual({
      status: 303,
      location: `/consent/request?id=${open.id as string}&lang=en`,
    });
  });

  it('shows another person a 403 page without the consent, and sends a visitor to login', async () => {
    const { id } = await acceptedByPerson('en');
    const other = await devLogin(t, personNumber());
    const res = await other.get(`/consent/${id}/revoke?lang=en`);
    expect(res.status).toBe(403);
    expect(res.body).not.toContain(CONSUMER_NAME);
    expect(res.body).not.toContain('Income information');
    const anonymous = await fetch(`${t.url}/consent/${id}/revoke?lang=en`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/login\?/);
  });
});

describe('receipts', () => {
  it('shows the withdrawal date on the receipt and the card', async () => {
    const { id, c } = await acceptedByPerson('en');
    const confirm = await c.get(`/consent/${id}/revoke?lang=en`);
    await c.post(`/consent/${id}/revoke`, { _csrf: csrfOf(confirm.body), lang: 'en' });
    const receipt = await c.get(`/consent/receipt/${id}?lang=en`);
    expect(receipt.body).toMatch(/<dt>Withdrawn<\/dt><dd>\d{1,2} \w+ \d{4} at \d\d:\d\d<\/dd>/);
    expect(receipt.body).toContain('<span class="ds-tag" data-color="neutral">Withdrawn</span>');
  });

  it('downloads a signed receipt that verifies offline against /jwk and holds the text, versions and parties', async () => {
    const { id, pid, c } = await acceptedByPerson('nn', { inntektsaar: '2023' });
    const page = await c.get(`/consent/receipt/${id}?lang=en`);
    expect(page.body).toContain(`href="/consent/receipt/${id}/signed" download`);
    const res = await c.get(`/consent/receipt/${id}/signed`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/jose');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="consent-receipt-${id}.jws"`);
    const jws = res.body;

    // Offline: the JWKS fetched once, then plain jose — what docs/portal.md tells a verifier to do.
    const jwks = createLocalJWKSet((await (await fetch(`${t.url}/jwk`)).json()) as { keys: [] });
    const { payload, protectedHeader } = await jwtVerify(jws, jwks, {
      issuer: `${t.url}/`,
      typ: 'consent-receipt+jwt',
      algorithms: ['RS256'],
    });
    expect(protectedHeader.alg).toBe('RS256');
    const text = payload.text as { sha256: string; html: string };
    expect(createHash('sha256').update(text.html, 'utf8').digest('hex')).toBe(text.sha256);
    const [stored] = await sql(
      t,
      'SELECT html, language FROM consent_receipts WHERE consent_request_id = $1',
      [id],
    );
    expect(text.html).toBe(stored.html);
    expect(page.body).toContain(stored.html);
    const [row] = await sql(t, 'SELECT resource_versions FROM consent_requests WHERE id = $1', [id]);
    expect(payload).toMatchObject({
      consentRequestId: id,
      status: 'accepted',
      language: 'nn',
      resources: [{ identifier: w.resource, versionId: row.resource_versions[w.resource], version: 1 }],
      rights: [
        {
          action: ['consent'],
          resource: [{ type: 'urn:altinn:resource', value: w.resource }],
          metadata: { inntektsaar: '2023' },
        },
      ],
      parties: {
        from: personUrnOf(pid),
        to: orgUrnOf(w.consumer.org),
        handledBy: null,
        acceptedBy: personUrnOf(pid),
        dataHolders: [orgUrnOf(w.owner.orgNumber)],
      },
      times: { ended: null },
      oneTime: false,
    });
    expect(new Date((payload.times as { accepted: string }).accepted).getTime()).toBeLessThanOrEqual(
      Date.now(),
    );

    // Tampering breaks it.
    const [h, p, s] = jws.split('.');
    const forged = Buffer.from(JSON.stringify({ ...payload, status: 'revoked' })).toString('base64url');
    await expect(compactVerify(`${h}.${forged}.${s}`, jwks)).rejects.toThrow();
    expect(p).not.toBe(forged);
  });

  it('never lets a signed receipt pass as an access token', async () => {
    const { c } = await acceptedByPerson('en');
    const list = await c.get('/consent/active?lang=en');
    const id = /\/consent\/receipt\/([0-9a-f-]{36})\?/.exec(list.body)![1];
    const jws = (await c.get(`/consent/receipt/${id}/signed`)).body;
    expect(decodeProtectedHeader(jws).typ).toBe('consent-receipt+jwt');
    const res = await fetch(`${t.url}${CONSENT_PATH}/${id}`, { headers: { authorization: `Bearer ${jws}` } });
    expect(res.status).toBe(401);
  });

  it('refuses the signed receipt to another person and to a visitor, and 404s a never-accepted one', async () => {
    const { id } = await acceptedByPerson('en');
    const other = await devLogin(t, personNumber());
    const refused = await other.get(`/consent/receipt/${id}/signed`);
    expect(refused.status).toBe(403);
    expect(refused.body).not.toMatch(/^ey/);
    const anonymous = await fetch(`${t.url}/consent/receipt/${id}/signed`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    const pid = personNumber();
    const open = await createConsent(
      t,
      w.consumer.auth,
      consentBody({ to: w.consumer.org, resource: w.resource, from: personUrnOf(pid) }),
    );
    const c = await devLogin(t, pid);
    expect((await c.get(`/consent/receipt/${open.id as string}/signed`)).status).toBe(404);
  });
});

describe('the usage log', () => {
  const usagePath = (id: string) => `${CONSENT_PATH}/${id}/usage`;

  const useThreeTimes = (id: string) => useConsentAtGateway(t, w, upstream.url, id, 3);

  it('shows the person how often, when last, by whom and against which API', async () => {
    const { id, c } = await acceptedByPerson('en');
    const before = await c.get('/consent/active?lang=en');
    expect(before.body).toContain('<dt>Use</dt><dd>Not used yet.</dd>');
    const api = await useThreeTimes(id);
    const list = await c.get('/consent/active?lang=en');
    const text = textOf(list.body);
    expect(text).toMatch(/Used 3 times, last \d{1,2} \w+ \d{4} at \d\d:\d\d/);
    expect(text).toContain(`by ${CONSUMER_NAME} against ${api}`);
    const nb = textOf((await c.get('/consent/active?lang=nb')).body);
    expect(nb).toMatch(/Brukt 3 ganger, sist \d{1,2}\. \w+ \d{4} kl\. \d\d:\d\d/);
    expect(nb).toContain(`av ${CONSUMER_NAME} mot ${api}`);
  });

  it('lets the consumer and the resource owner read it through the consent API', async () => {
    const { id } = await acceptedByPerson('en');
    const api = await useThreeTimes(id);
    const consumerRes = await fetch(`${t.url}${usagePath(id)}`, {
      headers: { authorization: w.consumer.read },
    });
    expect(consumerRes.status).toBe(200);
    const body = (await consumerRes.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      consentRequestId: id,
      uses: 3,
      hours: [{ api, consumer: w.consumer.org, uses: 3, refused: 0 }],
    });
    expect(new Date(body.lastUsed as string).getTime()).toBeLessThanOrEqual(Date.now());
    const owner = await bearer(t, { org: w.owner.orgNumber, scope: Scopes.resourceRead });
    const ownerRes = await fetch(`${t.url}${usagePath(id)}`, { headers: { authorization: owner } });
    expect(ownerRes.status).toBe(200);
    expect(((await ownerRes.json()) as { uses: number }).uses).toBe(3);
  });

  it('is AM-00000 for another organisation, 401 without a token, 403 without a scope, 400/404 for bad ids', async () => {
    const { id } = await acceptedByPerson('en');
    const before = await consentCounts(t);
    const stranger = await bearer(t, {
      org: orgNumber(),
      scope: [Scopes.consentRequestsRead, Scopes.resourceRead],
    });
    const refused = await fetch(`${t.url}${usagePath(id)}`, { headers: { authorization: stranger } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('AM-00000');
    expect((await fetch(`${t.url}${usagePath(id)}`)).status).toBe(401);
    const noScope = await bearer(t, { org: w.consumer.org, scope: 'idporten:scopes.read' });
    expect((await fetch(`${t.url}${usagePath(id)}`, { headers: { authorization: noScope } })).status).toBe(
      403,
    );
    const bad = await fetch(`${t.url}${usagePath('not-a-uuid')}`, {
      headers: { authorization: w.consumer.read },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const unknown = await fetch(`${t.url}${usagePath('00000000-0000-4000-8000-000000000000')}`, {
      headers: { authorization: w.consumer.read },
    });
    expect(unknown.status).toBe(404);
    expect(await consentCounts(t)).toEqual(before);
  });
});

describe('the frame: operator, statements and self-hosted assets', () => {
  it('names the operator in the footer and publishes contact, privacy and accessibility pages in nb, nn and en', async () => {
    for (const [lang, heading] of [
      ['nb', 'Tilgjengelighetserklæring'],
      ['nn', 'Tilgjengeerklæring'],
      ['en', 'Accessibility statement'],
    ] as const) {
      const res = await fetch(`${t.url}/consent/accessibility?lang=${lang}`);
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(body).toContain(`<html lang="${lang}">`);
      expect(body).toContain(`<h1 class="ds-heading" data-size="lg">${heading}</h1>`);
      expect(body).toContain('WCAG 2.1');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
    const privacy = await (await fetch(`${t.url}/consent/privacy?lang=en`)).text();
    expect(privacy).toContain('Testdirektoratet is the controller of the information this service stores.');
    expect(privacy).toContain('This service is operated by Testdirektoratet.');
    const contact = await (await fetch(`${t.url}/consent/contact?lang=nb`)).text();
    expect(contact).toContain('<a class="ds-link" href="mailto:hjelp@test.example">hjelp@test.example</a>');
    for (const href of [
      '/consent/contact?lang=nb',
      '/consent/privacy?lang=nb',
      '/consent/accessibility?lang=nb',
    ])
      expect(contact).toContain(`href="${href}"`);
  });

  it('serves Designsystemet and the Inter font from itself, and 404s anything else', async () => {
    const css = await fetch(`${t.url}/consent/assets/portal.css`);
    expect(css.status).toBe(200);
    const text = await css.text();
    expect(text).toContain('.ds-button');
    expect(text).toContain('--ds-color-accent-base-default');
    expect(text).toContain('url(/consent/assets/fonts/inter-latin-400-normal.woff2)');
    expect(text).not.toMatch(/url\((['"]?)https?:/);
    expect(text).not.toMatch(/@import/);
    const font = await fetch(`${t.url}/consent/assets/fonts/inter-latin-400-normal.woff2`);
    expect(font.status).toBe(200);
    expect(font.headers.get('content-type')).toBe('font/woff2');
    expect(
      Buffer.from(await font.arrayBuffer())
        .subarray(0, 4)
        .toString('latin1'),
    ).toBe('wOF2');
    for (const path of ['/consent/assets/fonts/..%2F..%2Fpackage.json', '/consent/assets/fonts/x.woff2']) {
      const res = await fetch(`${t.url}${path}`);
      // An encoded traversal is refused by the edge (400) before routing; the rest are 404.
      expect(res.status).toBe(path.includes('%2F') ? 400 : 404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('shows the operator’s logo from the service itself, sandboxed so an SVG script cannot run', async () => {
    const page = await (await fetch(`${t.url}/consent/privacy?lang=nb`)).text();
    expect(page).toContain('<img class="operator-logo" src="/consent/assets/logo" alt="">');
    const logo = await fetch(`${t.url}/consent/assets/logo`);
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toBe('image/svg+xml');
    expect(logo.headers.get('content-security-policy')).toContain('sandbox');
    expect(logo.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(logo.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await logo.text()).toBe(LOGO);
  });

  it('suggests valid synthetic test persons on the development login, and they log in', async () => {
    const page = await (await fetch(`${t.url}/login?lang=en`)).text();
    const suggested = [...page.matchAll(/<li><code>(\d{11})<\/code><\/li>/g)].map((m) => m[1]);
    expect(suggested.length).toBeGreaterThanOrEqual(3);
    for (const pid of suggested) {
      // Tenor synthetic numbers: month + 80, so no real person has them.
      expect(Number(pid.slice(2, 4))).toBeGreaterThan(80);
      const c = await devLogin(t, pid);
      expect((await c.get('/consent/active?lang=en')).status).toBe(200);
    }
  });
});
