import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsentsService } from '../../src/consents/consents.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { personNumber } from '../factories/orgs.js';
import { devLogin, textOf, type FormClient } from '../factories/portal-fixtures.js';
import {
  consentBody,
  consentWorld,
  createConsent,
  http,
  personUrnOf,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';

/**
 * What the portal shows beyond a consent's terms (issue 23, items 4 and 5): on a withdrawn
 * consent, who withdrew it and, when its data owner or the platform operator did, why (card and
 * receipt page); on an accepted consent inside its reminder window (30 days when none is set), an
 * "expires soon" tag and alert. Plain HTTP on the HTML; the browser test checks accessibility.
 */

let t: TestApp;
let w: ConsentWorld;
const DAY = 24 * 3600 * 1000;
const REASON = 'Mistanke om svindel <meldt av kontoeier>';

beforeAll(async () => {
  t = await createTestApp();
  w = await consentWorld(t);
});

afterAll(async () => {
  await t?.close();
});

/** An accepted consent from a fresh person, valid for `days`; with that person logged in. */
async function accepted(days = 200): Promise<{ id: string; pid: string; portal: FormClient }> {
  const pid = personNumber();
  const dto = await createConsent(
    t,
    w.consumer.auth,
    consentBody({
      to: w.consumer.org,
      resource: w.resource,
      from: personUrnOf(pid),
      validTo: new Date(Date.now() + days * DAY).toISOString(),
    }),
  );
  const id = dto.id as string;
  await t.app
    .get(ConsentsService)
    .accept(id, { personId: pid }, { language: 'nb', html: '<p>ok</p>', text: {} });
  return { id, pid, portal: await devLogin(t, pid) };
}

/** The card of consent `id` on "Mine samtykker" (its `<li>`), as text. */
async function cardText(portal: FormClient, id: string, lang = 'nb'): Promise<string> {
  const page = await portal.get(`/consent/active?lang=${lang}`);
  expect(page.status).toBe(200);
  const cards = page.body.split('<li class="ds-card"').slice(1);
  const card = cards.find((c) => c.includes(id) || c.includes(encodeURIComponent(id)));
  expect(card).toBeDefined();
  return textOf(card!);
}

async function receiptPage(portal: FormClient, id: string, lang = 'nb') {
  const page = await portal.get(`/consent/receipt/${id}?lang=${lang}`);
  expect(page.status).toBe(200);
  return page.body;
}

describe('revocation with a reason, shown to the person', () => {
  it('shows the data owner as who withdrew it and the reason, escaped, on the card and the receipt', async () => {
    const { id, portal } = await accepted();
    const res = await http(t, 'POST', `/admin/v1/consents/${id}/revoke`, w.owner.auth, { reason: REASON });
    expect(res.status).toBe(200);

    const card = await cardText(portal, id);
    const ownerNumber = w.owner.orgNumber.replace(/(\d{3})(\d{3})(\d{3})/, '$1 $2 $3');
    expect(card).toContain(`Trukket tilbake av Etat om`);
    expect(card).toContain(`(org.nr. ${ownerNumber}) Begrunnelse ${REASON}`);
    expect(card).toContain(`Begrunnelse ${REASON}`);

    const receipt = await receiptPage(portal, id);
    expect(receipt).toContain('Mistanke om svindel &lt;meldt av kontoeier&gt;');
    expect(receipt).not.toContain('<meldt');
    expect(textOf(receipt)).toContain(`Begrunnelse ${REASON}`);

    const en = await receiptPage(portal, id, 'en');
    expect(textOf(en)).toContain('Withdrawn by');
    expect(textOf(en)).toContain(`Reason ${REASON}`);
  });

  it('shows the person as who withdrew it, and no reason, when they did it themselves', async () => {
    const { id, pid, portal } = await accepted();
    await t.app.get(ConsentsService).revoke(id, { personId: pid });
    const card = await cardText(portal, id);
    expect(card).toContain('Trukket tilbake av');
    expect(card).toContain(pid.replace(/(\d{6})(\d{5})/, '$1 $2'));
    expect(card).not.toContain('Begrunnelse');
  });

  it('says nothing of a withdrawal on a consent that is still active', async () => {
    const { id, portal } = await accepted();
    const card = await cardText(portal, id);
    expect(card).not.toContain('Trukket tilbake av');
    expect(await receiptPage(portal, id)).not.toContain('Trukket tilbake av');
  });
});

describe('consents that expire soon', () => {
  it('marks an accepted consent within 30 days of validTo when no reminder window is set, with a tag and an alert', async () => {
    t.config.expiryReminderDays = 0;
    const { id, portal } = await accepted(10);
    const page = await portal.get('/consent/active');
    expect(page.body).toContain('<span class="ds-tag" data-color="warning">Utløper snart</span>');
    const card = await cardText(portal, id);
    expect(card).toContain('Utløper snart');
    expect(card).toMatch(/Samtykket utløper .+\. Etter det kan ikke .+ hente opplysningene med det\./);
    expect(await receiptPage(portal, id)).toContain('Utløper snart');
    expect(await cardText(portal, id, 'nn')).toContain('Går snart ut');
    expect(await cardText(portal, id, 'en')).toContain('Expires soon');
  });

  it('does not mark a consent further away than the window', async () => {
    t.config.expiryReminderDays = 0;
    const { id, portal } = await accepted(45);
    expect(await cardText(portal, id)).not.toContain('Utløper snart');
    expect(await receiptPage(portal, id)).not.toContain('Utløper snart');
  });

  it('uses the reminder window when one is configured', async () => {
    const { id, portal } = await accepted(45);
    t.config.expiryReminderDays = 60;
    try {
      expect(await cardText(portal, id)).toContain('Utløper snart');
      t.config.expiryReminderDays = 7;
      expect(await cardText(portal, id)).not.toContain('Utløper snart');
    } finally {
      t.config.expiryReminderDays = 0;
    }
  });

  it('does not mark a withdrawn consent, however close its validTo', async () => {
    const { id, pid, portal } = await accepted(5);
    await t.app.get(ConsentsService).revoke(id, { personId: pid });
    expect(await cardText(portal, id)).not.toContain('Utløper snart');
  });
});
