import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import type { TestApp } from '../helpers/app.js';
import { browserSuite, screenshot, seriousAxeViolations, type AxeViolation } from '../helpers/browser.js';
import {
  consentBody,
  createConsent,
  orgUrnOf,
  personUrnOf,
  sql,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';
import type { Upstream } from '../factories/gateway-fixtures.js';
import { orgNumber, personNumber } from '../factories/orgs.js';
import { grantOrgRoles } from '../factories/portal-fixtures.js';
import {
  login,
  newRequest as newPortalRequest,
  noScriptContext as noScriptBrowserContext,
  startPortalBrowserWorld,
  type PortalBrowserWorld,
} from '../factories/portal-browser-world.js';
import { useConsentAtGateway } from '../factories/usage-fixtures.js';

/**
 * The portal in a real browser, beside portal-browser.e2e-spec.ts (the whole flow in three
 * languages and two widths): rejecting, axe-core (WCAG 2.1 A/AA) and reflow on every page, and
 * the keyboard alone. Split from it so the two run on two Jest workers.
 *
 * Skipped only when chromium is not installed and we are not in CI (in CI it must run).
 */

let pw: PortalBrowserWorld;
let t: TestApp;
let w: ConsentWorld;
let browser: Browser;
let consumerUrl: string;
let upstream: Upstream;

browserSuite('the portal in a real browser: rejection, accessibility, keyboard', () => {
  beforeAll(async () => {
    pw = await startPortalBrowserWorld();
    ({ t, w, browser, consumerUrl, upstream } = pw);
  }, 120_000);

  afterAll(async () => {
    await pw?.close();
  });

  const newRequest = (from: string) => newPortalRequest(pw, from);
  const noScriptContext = (width?: number) => noScriptBrowserContext(browser, width);

  it('rejects and sends the browser back with Status=Failed', async () => {
    const pid = personNumber();
    const id = await newRequest(personUrnOf(pid));
    const { context, page, cspViolations } = await noScriptContext();
    try {
      await page.goto(`${t.url}/consent/request?id=${id}&lang=en`);
      await login(page, 'en', pid);
      await page.getByRole('button', { name: 'Reject', exact: true }).click();
      await page.waitForURL(`${consumerUrl}/**`);
      expect(page.url()).toBe(
        `${consumerUrl}/done#/loan/42?Status=Failed&ErrorMessage=User%20did%20not%20give%20consent`,
      );
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('has no serious or critical accessibility violations on any page (axe-core)', async () => {
    const pid = personNumber();
    const org = orgNumber();
    await grantOrgRoles(t, org, pid, ['DAGL']);
    const accepted = await newRequest(personUrnOf(pid));
    const forOrg = await newRequest(orgUrnOf(org));
    const someoneElses = await newRequest(personUrnOf(personNumber()));
    // One resource in two rights: each shown with its own metadata (issue 18 item 6).
    const twice = await createConsent(t, w.consumer.auth, {
      ...consentBody({ to: w.consumer.org, resource: w.resource, from: personUrnOf(pid) }),
      consentRights: ['2023', '2024'].map((inntektsaar) => ({
        action: ['consent'],
        resource: [{ type: 'urn:altinn:resource', value: w.resource }],
        metadata: { inntektsaar },
      })),
    });
    // axe is injected as a script, which the portal's CSP rightly forbids: bypass it here only.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const results: Record<string, AxeViolation[]> = {};
    const check = async (name: string) => {
      results[name] = await seriousAxeViolations(page);
      // Reflow (WCAG 1.4.10): nothing wider than the screen at 320 px, nor at 200 % zoom of a
      // 1280 px window (640 CSS px).
      for (const width of [320, 640]) {
        await page.setViewportSize({ width, height: 800 });
        const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
        if (scrollWidth > width)
          results[name].push({
            id: 'reflow',
            impact: 'serious',
            help: `${scrollWidth} px wide at ${width} px`,
            nodes: [],
          });
      }
      await page.setViewportSize({ width: 390, height: 844 });
    };
    try {
      await page.goto(`${t.url}/login?lang=en`);
      await check('login');
      await page.getByRole('button', { name: 'Log in', exact: true }).click();
      await check('login with error');
      await login(page, 'en', pid);
      for (const lang of ['nb', 'nn', 'en'] as const) {
        await page.goto(`${t.url}/consent/request?id=${accepted}&lang=${lang}`);
        await check(`request ${lang}`);
      }
      await page.goto(`${t.url}/consent/request?id=${forOrg}&lang=nb`);
      await check('request for an organisation');
      await screenshot(page, 'request-for-organisation-nb-phone');
      await page.goto(`${t.url}/consent/request?id=${twice.id as string}&lang=en`);
      expect(await page.getByRole('heading', { level: 3 }).allTextContents()).toEqual([
        'Income information (inntektsaar: 2023)',
        'Income information (inntektsaar: 2024)',
      ]);
      await check('request with one resource in two rights');
      await screenshot(page, 'request-two-rights-en-phone');
      await page.goto(`${t.url}/consent/request?id=${accepted}&lang=en`);
      await page.getByRole('button', { name: 'Accept', exact: true }).click();
      await page.waitForURL(`${consumerUrl}/**`);
      await page.goto(`${t.url}/consent/request?id=${accepted}&lang=en`);
      await check('request already answered');
      await useConsentAtGateway(t, w, upstream.url, accepted, 3);
      await page.goto(`${t.url}/consent/active?lang=nb`);
      expect(await page.locator('.usage-fact dd').first().textContent()).toMatch(/^Brukt 3 ganger/);
      await check('active with usage');
      await page.goto(`${t.url}/consent/${accepted}/revoke?lang=en`);
      await check('confirm withdrawal');
      for (const info of ['contact', 'privacy', 'accessibility']) {
        await page.goto(`${t.url}/consent/${info}?lang=nn`);
        await check(info);
      }
      await page.goto(`${t.url}/consent/receipt/${accepted}?lang=nn`);
      await check('receipt');
      await page.goto(`${t.url}/consent/request?id=${someoneElses}`);
      await check('403');
      await screenshot(page, 'error-403-phone');
      await page.goto(`${t.url}/consent/request?id=00000000-0000-4000-8000-000000000000`);
      await check('404');
      await screenshot(page, 'error-404-phone');
      await page.goto(`${t.url}/consent/active?lang=en&revoked=1`);
      await check('active with notice');
      // Issue 23: the "expires soon" tag (30 days by default) and a withdrawal with the owner's reason.
      expect(await page.locator('.ds-tag[data-color="warning"]').first().textContent()).toBe('Expires soon');
      const revoked = await fetch(`${t.url}/admin/v1/consents/${accepted}/revoke`, {
        method: 'POST',
        headers: { authorization: w.owner.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'Suspected fraud' }),
      });
      expect(revoked.status).toBe(200);
      await page.goto(`${t.url}/consent/active?lang=en`);
      expect(await page.locator('.revocation-reason').first().textContent()).toBe('Suspected fraud');
      await check('active with a withdrawal reason');
      await page.goto(`${t.url}/consent/receipt/${accepted}?lang=en`);
      await check('receipt of a withdrawn consent');
    } finally {
      await context.close();
    }
    expect(results).toEqual(Object.fromEntries(Object.keys(results).map((k) => [k, []])));
  }, 120_000);

  it('can be used with the keyboard alone: login → accept → withdraw', async () => {
    const pid = personNumber();
    const id = await newRequest(personUrnOf(pid));
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    /** Tab until the focused element's text (or label) matches, then return it; never clicks. */
    const tabTo = async (name: RegExp): Promise<void> => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        const label = await page.evaluate<string>(
          `(() => { const e = document.activeElement; return (e.labels && e.labels[0] ? e.labels[0].textContent : e.textContent || '').trim(); })()`,
        );
        if (name.test(label)) return;
      }
      throw new Error(`no focusable element matching ${name} within 40 tabs on ${page.url()}`);
    };
    try {
      await page.goto(`${t.url}/consent/request?id=${id}&lang=nb`);
      // The first Tab reaches the skip link.
      await page.keyboard.press('Tab');
      expect(await page.evaluate<string>('document.activeElement.textContent.trim()')).toBe(
        'Hopp til hovedinnhold',
      );
      await tabTo(/^Fødselsnummer/);
      await page.keyboard.type(pid);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${t.url}/consent/request?id=${id}&lang=nb`);
      await tabTo(/^Godta$/);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${consumerUrl}/**`);
      await page.goto(`${t.url}/consent/active?lang=nb`);
      await tabTo(/^Trekk tilbake/);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${t.url}/consent/${id}/revoke?lang=nb`);
      await tabTo(/^Ja, trekk tilbake samtykket$/);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${t.url}/consent/active?lang=nb&revoked=1`);
      const [row] = await sql(t, 'SELECT status FROM consent_requests WHERE id = $1', [id]);
      expect(row.status).toBe('revoked');
    } finally {
      await context.close();
    }
  }, 120_000);
});
