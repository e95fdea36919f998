import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { ConsentExpiryReminders } from '../../src/consents/consent-expiry-reminders.js';
import { ConsentExpirySweeper } from '../../src/consents/consent-expiry.sweeper.js';
import { formatDateTime } from '../../src/common/i18n/languages.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { mintToken } from '../helpers/tokens.js';
import { orgNumber, personNumber } from '../factories/orgs.js';
import {
  CONSENT_PATH,
  consentBody,
  consentWorld,
  createConsent,
  http,
  orgUrnOf,
  personUrnOf,
  sql,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';
import { proxy, registerApi, startUpstream, type Upstream } from '../factories/gateway-fixtures.js';
import { csrfOf, devLogin, grantOrgRoles, textOf, type FormClient } from '../factories/portal-fixtures.js';
import { consumerWithClient, requestToken, type TestClient } from '../factories/token-fixtures.js';
import { verifyIssued } from '../factories/token-world.js';

/**
 * Extending a consent, the person's side over real HTTP (beyond Altinn): the card and the page
 * with the terms now and after, approving and declining with CSRF-protected forms (and who may
 * not), the new version's receipt, tokens and the gateway after approval, the expiry sweeper
 * and the person's export. The Chromium flow is in portal-browser.e2e-spec.ts.
 */

const DAY = 24 * 3600 * 1000;
let t: TestApp;
let w: ConsentWorld;
let upstream: Upstream;
let client: TestClient;
let api: string;
const later = (days: number) => new Date(Date.now() + days * DAY).toISOString();
const extensionsPath = (id: string) => `${CONSENT_PATH}/${id}/extensions`;

beforeAll(async () => {
  // The background sweep is slowed down so that only the test sweeps.
  t = await createTestApp({ env: { EXPIRY_REMINDER_DAYS: '7', EXPIRY_SWEEP_INTERVAL_MS: '3600000' } });
  w = await consentWorld(t);
  upstream = await startUpstream();
  ({ client } = await consumerWithClient(t, { org: w.consumer.org }));
  api = await registerApi(
    t,
    { owner: w.owner, resource: w.resource, scope: `${w.owner.orgcode}:inntekt`, consumer: w.consumer.org },
    { upstreamUrl: upstream.url },
  );
}, 60_000);

afterAll(async () => {
  await upstream?.close();
  await t?.close();
});

/** A consent accepted in the portal by a fresh person, with a pending extension to `days`. */
async function withPendingExtension(
  days = 400,
): Promise<{ id: string; pid: string; c: FormClient; extensionId: string; validTo: string }> {
  const pid = personNumber();
  const dto = await createConsent(
    t,
    w.consumer.auth,
    consentBody({ to: w.consumer.org, resource: w.resource, from: personUrnOf(pid) }),
  );
  const id = dto.id as string;
  const c = await devLogin(t, pid);
  const page = await c.get(`/consent/request?id=${id}&lang=nb`);
  expect(
    (await c.post(`/consent/request/${id}/accept`, { _csrf: csrfOf(page.body), lang: 'nb' })).status,
  ).toBe(303);
  const validTo = later(days);
  const ext = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo });
  expect(ext.status).toBe(201);
  return { id, pid, c, extensionId: ext.body.id as string, validTo };
}

async function extensionStatus(id: string, extensionId: string): Promise<string> {
  return (await http(t, 'GET', `${extensionsPath(id)}/${extensionId}`, w.consumer.read)).body
    .status as string;
}

async function validToOf(id: string): Promise<string> {
  return (await http(t, 'GET', `${CONSENT_PATH}/${id}`, w.consumer.read)).body.validTo as string;
}

const enDate = (iso: string) => formatDateTime(new Date(iso), 'en');

describe('the person sees the pending extension', () => {
  it('on the consent card, with a link to a page of the terms now and after and the text for the new terms', async () => {
    const { id, c, extensionId, validTo } = await withPendingExtension();
    const list = await c.get('/consent/active?lang=en');
    expect(textOf(list.body)).toContain(`asks to extend this consent until ${enDate(validTo)}`);
    expect(list.body).toContain(`href="/consent/${id}/extension?lang=en"`);

    const page = await c.get(`/consent/${id}/extension?lang=en`);
    expect(page.status).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain('Do you want to extend the consent?');
    expect(text).toContain(enDate(validTo));
    expect(page.body).toContain(`name="extension" value="${extensionId}"`);
    // The consent text, rendered as for a new consent (the template's expiration names the new date).
    expect(page.body).toContain('class="consent"');
  });

  it('another person gets 403 on the page and on the form, and nothing changes', async () => {
    const { id, extensionId } = await withPendingExtension();
    const other = await devLogin(t, personNumber());
    expect((await other.get(`/consent/${id}/extension?lang=nb`)).status).toBe(403);
    const list = await other.get('/consent/active?lang=nb');
    const res = await other.post(`/consent/${id}/extension/approve`, {
      _csrf: csrfOf(list.body),
      lang: 'nb',
      extension: extensionId,
    });
    expect(res.status).toBe(403);
    expect(await extensionStatus(id, extensionId)).toBe('pending');
  });

  it('for an organisation: a person with the role answers; one without it gets 403 and nothing changes', async () => {
    const org = orgNumber();
    const leader = personNumber();
    const clerk = personNumber();
    await grantOrgRoles(t, org, leader, ['DAGL']);
    await grantOrgRoles(t, org, clerk, ['REGN']);
    const dto = await createConsent(
      t,
      w.consumer.auth,
      consentBody({ to: w.consumer.org, resource: w.resource, from: orgUrnOf(org) }),
    );
    const id = dto.id as string;
    const leaderSession = await devLogin(t, leader);
    const request = await leaderSession.get(`/consent/request?id=${id}&lang=nb`);
    await leaderSession.post(`/consent/request/${id}/accept`, { _csrf: csrfOf(request.body), lang: 'nb' });
    const ext = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(200) });
    const clerkSession = await devLogin(t, clerk);
    expect((await clerkSession.get(`/consent/${id}/extension?lang=nb`)).status).toBe(403);
    const clerkList = await clerkSession.get('/consent/active?lang=nb');
    const refused = await clerkSession.post(`/consent/${id}/extension/approve`, {
      _csrf: csrfOf(clerkList.body),
      lang: 'nb',
      extension: ext.body.id as string,
    });
    expect(refused.status).toBe(403);
    expect(await extensionStatus(id, ext.body.id as string)).toBe('pending');
    const page = await leaderSession.get(`/consent/${id}/extension?lang=nb`);
    expect(page.status).toBe(200);
    const ok = await leaderSession.post(`/consent/${id}/extension/approve`, {
      _csrf: csrfOf(page.body),
      lang: 'nb',
      extension: ext.body.id as string,
    });
    expect(ok.status).toBe(303);
    expect(await extensionStatus(id, ext.body.id as string)).toBe('approved');
  });

  it('a form without the right _csrf is 403 and nothing changes; without login the page goes to the login', async () => {
    const { id, c, extensionId } = await withPendingExtension();
    for (const _csrf of [undefined, 'wrong'])
      expect(
        (await c.post(`/consent/${id}/extension/approve`, { _csrf, lang: 'nb', extension: extensionId }))
          .status,
      ).toBe(403);
    expect(await extensionStatus(id, extensionId)).toBe('pending');
    const anonymous = await fetch(`${t.url}/consent/${id}/extension?lang=nb`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/login\?/);
  });
});

describe('approving and declining', () => {
  it('approving makes version 2: 303 to its receipt, which shows the new validTo and links version 1', async () => {
    const { id, c, extensionId, validTo } = await withPendingExtension();
    const page = await c.get(`/consent/${id}/extension?lang=en`);
    const res = await c.post(`/consent/${id}/extension/approve`, {
      _csrf: csrfOf(page.body),
      lang: 'en',
      extension: extensionId,
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/consent/receipt/${id}?lang=en&version=2`);
    expect(await extensionStatus(id, extensionId)).toBe('approved');
    expect(await validToOf(id)).toBe(new Date(validTo).toISOString());

    const receipt = await c.get(res.location!);
    expect(receipt.status).toBe(200);
    const text = textOf(receipt.body);
    expect(text).toContain('Version 2: valid until');
    expect(text).toContain(enDate(validTo));
    expect(receipt.body).toContain(`href="/consent/receipt/${id}?lang=en&amp;version=1"`);
    const first = await c.get(`/consent/receipt/${id}?lang=en&version=1`);
    expect(first.status).toBe(200);
    expect((await c.get(`/consent/receipt/${id}?lang=en&version=3`)).status).toBe(404);

    // The signed receipt of version 2: its own text, version and validTo.
    const signed = await c.get(`/consent/receipt/${id}/signed?version=2`);
    expect(signed.status).toBe(200);
    const jwks = createLocalJWKSet((await (await fetch(`${t.url}/jwk`)).json()) as { keys: [] });
    const { payload } = await jwtVerify(signed.body, jwks, { typ: 'consent-receipt+jwt' });
    expect(payload).toMatchObject({ consentRequestId: id, version: 2, language: 'en' });
    expect((payload.times as { validTo: string }).validTo).toBe(new Date(validTo).toISOString());

    // Approving again is a no-op; the page now says there is nothing pending.
    const again = await c.post(`/consent/${id}/extension/approve`, {
      _csrf: csrfOf(page.body),
      lang: 'en',
      extension: extensionId,
    });
    expect(again.status).toBe(303);
    expect(textOf((await c.get(`/consent/${id}/extension?lang=en`)).body)).toContain('no longer open');
  });

  it('declining keeps the consent as it was; the consumer sees `declined`', async () => {
    const { id, c, extensionId } = await withPendingExtension();
    const before = await validToOf(id);
    const page = await c.get(`/consent/${id}/extension?lang=nb`);
    const res = await c.post(`/consent/${id}/extension/decline`, {
      _csrf: csrfOf(page.body),
      lang: 'nb',
      extension: extensionId,
    });
    expect(res.status).toBe(303);
    expect(textOf((await c.get(res.location!)).body)).toContain('Du sa nei til å forlenge samtykket');
    expect(await extensionStatus(id, extensionId)).toBe('declined');
    expect(await validToOf(id)).toBe(before);
    const events = await sql(
      t,
      `SELECT event_type, extension_id::text FROM consent_events WHERE consent_request_id = $1 AND event_type LIKE 'extension%' ORDER BY created_at`,
      [id],
    );
    expect(events).toEqual([
      { event_type: 'extension_requested', extension_id: extensionId },
      { event_type: 'extension_declined', extension_id: extensionId },
    ]);
  });

  it('an answer to an extension the consumer cancelled meanwhile is 409, and nothing changes', async () => {
    const { id, c, extensionId } = await withPendingExtension();
    const page = await c.get(`/consent/${id}/extension?lang=nb`);
    await http(t, 'POST', `${extensionsPath(id)}/${extensionId}/cancel`, w.consumer.auth);
    const before = await validToOf(id);
    const res = await c.post(`/consent/${id}/extension/approve`, {
      _csrf: csrfOf(page.body),
      lang: 'nb',
      extension: extensionId,
    });
    expect(res.status).toBe(409);
    expect(await validToOf(id)).toBe(before);
    expect(await extensionStatus(id, extensionId)).toBe('cancelled');
  });
});

describe('the rules are judged again when the person approves (red team: an approved extension broke a working consent)', () => {
  const policyPath = () => `/resourceregistry/api/v1/resource/${w.resource}/policy`;

  afterAll(async () => {
    await http(t, 'DELETE', policyPath(), w.owner.auth);
  });

  it('an extension asked under P2Y is refused (409 CX-00006) once the owner tightened to P1Y, and the consent keeps working as it was', async () => {
    expect((await http(t, 'PUT', policyPath(), w.owner.auth, { maxValidity: 'P2Y' })).status).toBe(200);
    const { id, c, extensionId } = await withPendingExtension(500);
    const page = await c.get(`/consent/${id}/extension?lang=en`);
    expect((await http(t, 'PUT', policyPath(), w.owner.auth, { maxValidity: 'P1Y' })).status).toBe(200);
    const before = await validToOf(id);

    const res = await c.post(`/consent/${id}/extension/approve`, {
      _csrf: csrfOf(page.body),
      lang: 'en',
      extension: extensionId,
    });
    expect(res.status).toBe(409);
    expect(textOf(res.body)).toContain('can no longer be approved');
    expect(await validToOf(id)).toBe(before);
    expect(await extensionStatus(id, extensionId)).toBe('pending');
    const versions = await http(t, 'GET', `${CONSENT_PATH}/${id}/versions`, w.consumer.read);
    expect(versions.body.currentVersion).toBe(1);

    // Loosened again, the same extension can be approved.
    expect((await http(t, 'DELETE', policyPath(), w.owner.auth)).status).toBe(204);
    const again = await c.get(`/consent/${id}/extension?lang=en`);
    const ok = await c.post(`/consent/${id}/extension/approve`, {
      _csrf: csrfOf(again.body),
      lang: 'en',
      extension: extensionId,
    });
    expect(ok.status).toBe(303);
    expect(await extensionStatus(id, extensionId)).toBe('approved');
  });
});

describe('after approval: tokens, the gateway, the sweeper and the export', () => {
  async function approved(days = 400) {
    const x = await withPendingExtension(days);
    const before = await sql(t, 'SELECT * FROM consent_requests WHERE id = $1', [x.id]);
    const page = await x.c.get(`/consent/${x.id}/extension?lang=nb`);
    await x.c.post(`/consent/${x.id}/extension/approve`, {
      _csrf: csrfOf(page.body),
      lang: 'nb',
      extension: x.extensionId,
    });
    return { ...x, old: before[0] };
  }

  function gatewayToken(id: string, row: Record<string, unknown>, validTo: string) {
    return mintToken(t, {
      org: w.consumer.org,
      scope: `${w.owner.orgcode}:inntekt`,
      authorizationDetails: [
        {
          type: 'urn:altinn:consent',
          id,
          from: row.from_party,
          to: { authority: 'iso6523-actorid-upis', ID: `0192:${w.consumer.org}` },
          consented: new Date(row.consented as string).toISOString(),
          validTo,
          consentRights: row.consent_rights,
        },
      ],
    });
  }

  it('a token from /token carries the new validTo', async () => {
    const { id, pid, validTo } = await approved();
    const res = await requestToken(t, client, {
      claims: { authorization_details: [{ type: 'urn:altinn:consent', id, from: personUrnOf(pid) }] },
    });
    expect(res.status).toBe(200);
    const claims = await verifyIssued(t, res.body.access_token as string);
    expect((claims.authorization_details as { validTo: string }[])[0].validTo).toBe(
      new Date(validTo).toISOString(),
    );
  });

  it('the gateway accepts a token of the new terms and a token of the old ones, and refuses terms that never were', async () => {
    const { id, old, validTo } = await approved();
    const oldValidTo = new Date(old.valid_to as string).toISOString();
    const call = async (v: string) =>
      (await proxy(t, `/proxy/${api}/inntekt`, { auth: `Bearer ${await gatewayToken(id, old, v)}` })).status;
    expect(await call(new Date(validTo).toISOString())).toBe(200);
    expect(await call(oldValidTo)).toBe(200);
    const never = new Date(new Date(oldValidTo).getTime() + DAY).toISOString();
    const refused = await proxy(t, `/proxy/${api}/inntekt`, {
      auth: `Bearer ${await gatewayToken(id, old, never)}`,
    });
    expect({ status: refused.status, code: refused.body?.code }).toEqual({ status: 401, code: 'GW-00009' });
  });

  it('the sweeper neither expires it at the old validTo nor keeps the old reminder: it re-arms for the new one', async () => {
    const x = await withPendingExtension(100);
    // The consent is about to end (and was reminded): the old validTo is a few seconds away.
    await sql(t, `UPDATE consent_requests SET valid_to = now() + interval '6 seconds' WHERE id = $1`, [x.id]);
    await t.app.get(ConsentExpirySweeper).sweepAll();
    const reminded = await sql(
      t,
      `SELECT count(*)::int AS n FROM consent_reminders WHERE consent_request_id = $1`,
      [x.id],
    );
    expect(reminded[0].n).toBe(1);
    const page = await x.c.get(`/consent/${x.id}/extension?lang=nb`);
    const ok = await x.c.post(`/consent/${x.id}/extension/approve`, {
      _csrf: csrfOf(page.body),
      lang: 'nb',
      extension: x.extensionId,
    });
    expect(ok.status).toBe(303);
    await new Promise((r) => setTimeout(r, 6500));
    await t.app.get(ConsentExpirySweeper).sweepAll();
    expect((await http(t, 'GET', `${CONSENT_PATH}/${x.id}`, w.consumer.read)).body.status).toBe('accepted');

    // 95 days on, the new validTo is 5 days away: a second reminder.
    const reminders = t.app.get(ConsentExpiryReminders);
    reminders.clock = () => Date.now() + 95 * DAY;
    try {
      await t.app.get(ConsentExpirySweeper).sweepAll();
    } finally {
      reminders.clock = () => Date.now();
    }
    const expiring = await sql(
      t,
      `SELECT count(*)::int AS n FROM consent_events WHERE consent_request_id = $1 AND event_type = 'expiring'`,
      [x.id],
    );
    expect(expiring[0].n).toBe(2);
  });

  it("the person's export lists both versions with their receipts", async () => {
    const { id, c, validTo } = await approved();
    const res = await c.get('/consent/export');
    expect(res.status).toBe(200);
    const consent = (JSON.parse(res.body) as { consents: Record<string, unknown>[] }).consents.find(
      (k) => k.id === id,
    )!;
    expect(consent.version).toBe(2);
    const versions = consent.versions as { version: number; validTo: string; receipt: { html: string } }[];
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[1].validTo).toBe(new Date(validTo).toISOString());
    expect(versions.every((v) => v.receipt.html.length > 0)).toBe(true);
    expect((consent.events as { type: string }[]).map((e) => e.type)).toEqual(
      expect.arrayContaining(['extension_requested', 'extended']),
    );
  });
});
