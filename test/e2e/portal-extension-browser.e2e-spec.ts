import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { ConsentsService } from '../../src/consents/consents.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { browserSuite, launchBrowser, screenshot, seriousAxeViolations } from '../helpers/browser.js';
import {
  CONSENT_PATH,
  consentBody,
  consentWorld,
  createConsent,
  http,
  personUrnOf,
  sql,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';
import { personNumber } from '../factories/orgs.js';

/**
 * Extending a consent in a real browser (Debian's chromium, playwright-core), JavaScript off and
 * the real Content-Security-Policy on: the consumer asks for a later `validTo`; the person logs
 * in, sees it on the consent card, opens the page with the terms now and after, approves, and
 * lands on the new version's receipt, whose signed download verifies against /jwk; declining
 * leaves the consent as it was. Screenshots under test-artifacts/screenshots/ (extension-*),
 * and axe-core on the new pages. Skipped only when chromium is missing outside CI.
 */

const DAY = 24 * 3600 * 1000;

let t: TestApp;
let w: ConsentWorld;
let browser: Browser;

browserSuite('extending a consent in a real browser', () => {
  beforeAll(async () => {
    t = await createTestApp();
    w = await consentWorld(t);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** An accepted consent with the consumer's pending extension to a year from now. */
  async function pendingExtension(pid: string): Promise<{ id: string; validTo: string }> {
    const dto = await createConsent(
      t,
      w.consumer.auth,
      consentBody({ to: w.consumer.org, resource: w.resource, from: personUrnOf(pid) }),
    );
    const id = dto.id as string;
    await t.app
      .get(ConsentsService)
      .accept(id, { personId: pid }, { language: 'nb', html: '<p>v1</p>', text: {} });
    const validTo = new Date(Date.now() + 365 * DAY).toISOString();
    const ext = await http(t, 'POST', `${CONSENT_PATH}/${id}/extensions`, w.consumer.auth, { validTo });
    expect(ext.status).toBe(201);
    return { id, validTo };
  }

  async function loggedIn(
    pid: string,
    lang: string,
  ): Promise<{ page: Page; csp: string[]; close: () => Promise<void> }> {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 390, height: 844 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const csp: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) csp.push(msg.text());
    });
    await page.goto(`${t.url}/consent/active?lang=${lang}`);
    await page
      .getByLabel(lang === 'en' ? 'National identity number (11 digits)' : 'Fødselsnummer (11 siffer)')
      .fill(pid);
    await page.getByRole('button', { name: lang === 'en' ? 'Log in' : 'Logg inn', exact: true }).click();
    await page.waitForURL(`${t.url}/consent/active?lang=${lang}`);
    return { page, csp, close: () => context.close() };
  }

  /** axe-core in a second, CSP-bypassing context on the same session (axe is an injected script). */
  async function axeViolations(page: Page, url: string): Promise<unknown[]> {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } });
    try {
      await context.addCookies(await page.context().cookies());
      const p = await context.newPage();
      await p.goto(url);
      return await seriousAxeViolations(p);
    } finally {
      await context.close();
    }
  }

  it('sees the request on the card, reads the terms now and after, approves, and gets the new receipt', async () => {
    const pid = personNumber();
    const { id, validTo } = await pendingExtension(pid);
    const { page, csp, close } = await loggedIn(pid, 'nb');
    try {
      const card = page.locator('li.ds-card', { hasText: 'ber om å forlenge samtykket' }).first();
      expect(await card.count()).toBe(1);
      await screenshot(page, 'extension-active-nb');
      await card.getByRole('link', { name: /^Se forespørselen om forlengelse/ }).click();
      await page.waitForURL(`${t.url}/consent/${id}/extension?lang=nb`);
      expect(await page.locator('h1').first().textContent()).toBe('Vil du forlenge samtykket?');
      const terms = page.locator('table.terms tbody tr').first();
      expect(await terms.locator('th').textContent()).toBe('Gyldig til');
      expect(await page.locator('article.consent').count()).toBe(1);
      await screenshot(page, 'extension-page-nb');
      expect(await axeViolations(page, page.url())).toEqual([]);

      await page.getByRole('button', { name: 'Forleng samtykket', exact: true }).click();
      await page.waitForURL(`${t.url}/consent/receipt/${id}?lang=nb&version=2`);
      const [row] = await sql(t, 'SELECT valid_to, version FROM consent_requests WHERE id = $1', [id]);
      expect({ validTo: new Date(row.valid_to as string).toISOString(), version: row.version }).toEqual({
        validTo,
        version: 2,
      });
      expect(await page.locator('#versions-heading').textContent()).toBe('Versjoner');
      await screenshot(page, 'extension-receipt-v2-nb');
      expect(await axeViolations(page, page.url())).toEqual([]);

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Last ned signert kvittering' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`consent-receipt-${id}-v2.jws`);
      const jwks = createLocalJWKSet((await (await fetch(`${t.url}/jwk`)).json()) as { keys: [] });
      const { payload } = await jwtVerify(readFileSync(await download.path(), 'utf8'), jwks, {
        issuer: `${t.url}/`,
        typ: 'consent-receipt+jwt',
      });
      expect(payload).toMatchObject({ consentRequestId: id, version: 2, times: { validTo } });
      expect(csp).toEqual([]);
    } finally {
      await close();
    }
  }, 180_000);

  it('declines, and the consent stays as it was', async () => {
    const pid = personNumber();
    const { id } = await pendingExtension(pid);
    const [before] = await sql(t, 'SELECT valid_to FROM consent_requests WHERE id = $1', [id]);
    const { page, csp, close } = await loggedIn(pid, 'en');
    try {
      await page.goto(`${t.url}/consent/${id}/extension?lang=en`);
      await page.getByRole('button', { name: 'No, do not extend', exact: true }).click();
      await page.waitForURL(`${t.url}/consent/${id}/extension?lang=en&declined=1`);
      expect((await page.getByRole('status').textContent())?.trim()).toMatch(
        /^You declined to extend the consent/,
      );
      await screenshot(page, 'extension-declined-en');
      const [after] = await sql(t, 'SELECT valid_to, version FROM consent_requests WHERE id = $1', [id]);
      expect(after).toEqual({ valid_to: before.valid_to, version: 1 });
      expect(csp).toEqual([]);
    } finally {
      await close();
    }
  }, 180_000);
});
