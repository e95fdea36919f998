import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import type { TestApp } from '../helpers/app.js';
import { browserSuite, screenshot } from '../helpers/browser.js';
import { orgUrnOf, personUrnOf, sql, type ConsentWorld } from '../factories/consent-fixtures.js';
import type { Upstream } from '../factories/gateway-fixtures.js';
import { personNumber } from '../factories/orgs.js';
import {
  LABELS,
  login,
  newRequest as newPortalRequest,
  noScriptContext as noScriptBrowserContext,
  startPortalBrowserWorld,
  verifiedReceipt as verifiedSignedReceipt,
  type Lang,
  type PortalBrowserWorld,
} from '../factories/portal-browser-world.js';
import { useConsentAtGateway } from '../factories/usage-fixtures.js';

/**
 * The portal in a real browser (Debian's chromium, driven by playwright-core): the whole flow
 * with JavaScript switched off and the real Content-Security-Policy on — login → request page
 * (names shown) → accept → back at the consumer → the consent used at the gateway → active list
 * (usage shown) → receipt → signed receipt downloaded and verified against /jwk → withdraw,
 * confirmed — in nb, nn and en, at 390 px and at desktop width, with a screenshot of every page
 * under test-artifacts/screenshots/ (CI keeps the folder). Rejecting, the axe-core check of every
 * page and the keyboard alone are in portal-browser-checks.e2e-spec.ts (split so that the two
 * files run on two Jest workers).
 *
 * Skipped only when chromium is not installed and we are not in CI (in CI it must run).
 */

let pw: PortalBrowserWorld;
let t: TestApp;
let w: ConsentWorld;
let browser: Browser;
let consumerUrl: string;
let upstream: Upstream;

browserSuite('the portal in a real browser', () => {
  beforeAll(async () => {
    pw = await startPortalBrowserWorld();
    ({ t, w, browser, consumerUrl, upstream } = pw);
  }, 120_000);

  afterAll(async () => {
    await pw?.close();
  });

  const newRequest = (from: string) => newPortalRequest(pw, from);
  const noScriptContext = (width?: number) => noScriptBrowserContext(browser, width);
  const verifiedReceipt = (page: Page, lang: Lang, id: string) => verifiedSignedReceipt(t, page, lang, id);

  for (const [width, size] of [
    [390, 'phone'],
    [1280, 'desktop'],
  ] as const)
    for (const lang of ['nb', 'nn', 'en'] as const) {
      it(`goes from login to accept, use, receipt and a confirmed withdrawal without JavaScript (${lang}, ${size})`, async () => {
        const L = LABELS[lang];
        const pid = personNumber();
        const id = await newRequest(personUrnOf(pid));
        const { context, page, cspViolations } = await noScriptContext(width);
        const snap = (name: string) => screenshot(page, `${name}-${lang}-${size}`);
        try {
          // Not logged in: the request link leads to the login form, and back after login.
          await page.goto(`${t.url}/consent/request?id=${id}&lang=${lang}`);
          expect(new URL(page.url()).pathname).toBe('/login');
          await snap('login');
          await login(page, lang, pid);
          await page.waitForURL(`${t.url}/consent/request?id=${id}&lang=${lang}`);
          expect(await page.locator('h1').textContent()).toBe(`Testbanken ASA ${L.heading}`);
          // Who asks by name, the number as secondary text.
          const askedBy = page
            .locator('dt', { hasText: L.requestedBy })
            .locator('xpath=following-sibling::dd');
          expect((await askedBy.first().textContent())?.replace(/\s+/g, ' ')).toMatch(
            /^Testbanken ASA \((org\.nr\.|org\. no\.) \d{3} \d{3} \d{3}\)$/,
          );
          // Who holds the data: the resource owner's name, its number as secondary text.
          const heldBy = page.locator('dt', { hasText: L.dataHeldBy }).locator('xpath=following-sibling::dd');
          expect((await heldBy.first().textContent())?.replace(/\s+/g, ' ')).toContain(
            `${L.owner} ${w.owner.orgcode}`,
          );
          await snap('request');

          // Accept: the browser is sent back to the consumer, the result inside its #/ route.
          await page.getByRole('button', { name: L.accept, exact: true }).click();
          await page.waitForURL(`${consumerUrl}/**`);
          expect(page.url()).toBe(`${consumerUrl}/done#/loan/42?Status=OK`);
          const [accepted] = await sql(t, 'SELECT status FROM consent_requests WHERE id = $1', [id]);
          expect(accepted.status).toBe('accepted');

          // The consumer uses the consent twice at the gateway; the person sees it on the card.
          const api = await useConsentAtGateway(t, w, upstream.url, id, 2);
          await page.goto(`${t.url}/consent/active?lang=${lang}`);
          const card = page.locator('li.ds-card', { hasText: 'inntektsaar: 2024' }).first();
          const cardText = (await card.textContent())?.replace(/\s+/g, ' ') ?? '';
          expect(cardText).toContain(L.used);
          expect(cardText).toContain(`Testbanken ASA`);
          expect(cardText).toContain(api);
          await snap('active');

          // The receipt, and its signed download verified against /jwk.
          await page
            .getByRole('link', { name: new RegExp(`^${L.receipt}`) })
            .first()
            .click();
          await page.waitForURL(`${t.url}/consent/receipt/${id}?lang=${lang}`);
          expect(await page.locator('article.receipt h1').textContent()).toContain(L.heading);
          await snap('receipt');
          const payload = await verifiedReceipt(page, lang, id);
          expect(payload).toMatchObject({
            consentRequestId: id,
            status: 'accepted',
            language: lang,
            parties: {
              from: personUrnOf(pid),
              to: orgUrnOf(w.consumer.org),
              acceptedBy: personUrnOf(pid),
              dataHolders: [orgUrnOf(w.owner.orgNumber)],
            },
            times: { ended: null },
          });
          // The signed text is the text the page shows.
          const shown = (await page.locator('article.receipt').textContent())?.replace(/\s+/g, ' ') ?? '';
          const signedWords = payload.text.html.replace(/<[^>]+>/g, ' ').match(/\p{L}{6,}/gu) ?? [];
          expect(signedWords.length).toBeGreaterThan(3);
          for (const word of signedWords.slice(0, 20)) expect(shown).toContain(word);

          // Withdraw: the list's button opens the confirmation; only its button withdraws.
          await page.goto(`${t.url}/consent/active?lang=${lang}`);
          await page
            .getByRole('button', { name: new RegExp(`^${L.revoke}`) })
            .first()
            .click();
          await page.waitForURL(`${t.url}/consent/${id}/revoke?lang=${lang}`);
          expect(await page.locator('h1').textContent()).toBe(L.withdrawTitle);
          expect((await sql(t, 'SELECT status FROM consent_requests WHERE id = $1', [id]))[0].status).toBe(
            'accepted',
          );
          await snap('withdraw');
          await page.getByRole('button', { name: L.confirm, exact: true }).click();
          await page.waitForURL(`${t.url}/consent/active?lang=${lang}&revoked=1`);
          expect((await page.getByRole('status').textContent())?.trim()).toBe(L.revoked);
          await snap('revoked');
          const [revoked] = await sql(t, 'SELECT status FROM consent_requests WHERE id = $1', [id]);
          expect(revoked.status).toBe('revoked');
          await page.goto(`${t.url}/consent/receipt/${id}?lang=${lang}`);
          await snap('receipt-withdrawn');
          // The receipt signed after the withdrawal says so, with the time it ended.
          const ended = await verifiedReceipt(page, lang, id);
          expect(ended.status).toBe('revoked');
          expect(Date.parse(ended.times.ended ?? '')).toBeGreaterThan(Date.parse(ended.times.accepted));
          // The footer's pages (who runs the service, contact, privacy, accessibility statement).
          for (const info of ['contact', 'privacy', 'accessibility']) {
            await page.goto(`${t.url}/consent/${info}?lang=${lang}`);
            await snap(info);
          }
          expect(cspViolations).toEqual([]);
        } finally {
          await context.close();
        }
      }, 120_000);
    }
});
