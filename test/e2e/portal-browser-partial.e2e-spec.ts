import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  browserSuite,
  launchBrowser,
  screenshot,
  seriousAxeViolations,
  startConsumerSite,
  type AxeViolation,
  type ConsumerSite,
} from '../helpers/browser.js';
import {
  consentBody,
  consentWorld,
  createConsent,
  personUrnOf,
  sql,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';
import { personNumber } from '../factories/orgs.js';
import { createResource } from '../factories/registry.js';

/**
 * Partial acceptance (issue 23 item 3) in a real browser, beside portal-browser.e2e-spec.ts
 * (which covers the whole all-or-nothing flow): JavaScript off and the real CSP on, the person
 * ticks the rights, meets the error summary for nothing ticked and for a required right left
 * out, accepts a subset and reads the receipt that says what was accepted and declined. Every
 * page is screenshotted (test-artifacts/screenshots/partial-*.png), checked with axe-core and
 * for reflow at 320 px.
 *
 * Skipped only when chromium is not installed and we are not in CI (in CI it must run).
 */

let t: TestApp;
let w: ConsentWorld;
let tax: string;
let browser: Browser;
let consumerSite: ConsumerSite;
let consumerUrl: string;

browserSuite('partial acceptance in a real browser', () => {
  beforeAll(async () => {
    t = await createTestApp();
    w = await consentWorld(t);
    tax = (
      await createResource(t, w.owner, {
        title: { nb: 'Skatteoppgjør', nn: 'Skatteoppgjer', en: 'Tax assessment' },
        consentMetadata: {},
        consentText: { nb: 'Skatteoppgjøret ditt.', nn: 'Skatteoppgjeret ditt.', en: 'Your tax assessment.' },
      })
    ).identifier;
    consumerSite = await startConsumerSite();
    consumerUrl = consumerSite.url;
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await consumerSite?.close();
    await t?.close();
  });

  it('accepts a subset without JavaScript, with an error summary for what cannot be accepted', async () => {
    const pid = personNumber();
    const dto = await createConsent(t, w.consumer.auth, {
      ...consentBody({ to: w.consumer.org, resource: w.resource, from: personUrnOf(pid) }),
      consentRights: [
        {
          action: ['consent'],
          resource: [{ type: 'urn:altinn:resource', value: w.resource }],
          metadata: { inntektsaar: '2024' },
          required: true,
        },
        { action: ['consent'], resource: [{ type: 'urn:altinn:resource', value: tax }] },
      ],
      redirectUrl: `${consumerUrl}/done`,
      allowPartialAcceptance: true,
    });
    const id = dto.id as string;
    // Scripts off for the flow; CSP bypassed only so axe can be injected for its checks.
    const context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 390, height: 844 },
    });
    const axeContext = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    const snap = (name: string) => screenshot(page, `partial-${name}`);
    const axe: Record<string, AxeViolation[]> = {};
    const checkWithAxe = async (name: string) => {
      // The same HTML (a POST's answer cannot be fetched again), on the portal's origin so its
      // stylesheet applies and colour contrast is judged as shown.
      const p = await axeContext.newPage();
      await p.goto(`${t.url}/login?lang=en`);
      await p.setContent(await page.content(), { waitUntil: 'load' });
      axe[name] = await seriousAxeViolations(p);
      // Reflow (WCAG 1.4.10): nothing wider than a 320 px screen.
      await p.setViewportSize({ width: 320, height: 800 });
      const scrollWidth = await p.evaluate<number>('document.documentElement.scrollWidth');
      if (scrollWidth > 320)
        axe[name].push({
          id: 'reflow',
          impact: 'serious',
          help: `${scrollWidth} px wide at 320 px`,
          nodes: [],
        });
      await p.close();
    };
    try {
      await page.goto(`${t.url}/consent/request?id=${id}&lang=en`);
      await page.getByLabel('National identity number (11 digits)').fill(pid);
      await page.getByRole('button', { name: 'Log in', exact: true }).click();
      await page.waitForURL(`${t.url}/consent/request?id=${id}&lang=en`);
      const choice = page.getByRole('group', { name: 'Choose what you consent to' });
      const income = choice.getByRole('checkbox', { name: 'Income information (inntektsaar: 2024)' });
      const taxBox = choice.getByRole('checkbox', { name: 'Tax assessment' });
      expect([await income.isChecked(), await taxBox.isChecked()]).toEqual([false, false]);
      await snap('request');
      await checkWithAxe('request');

      // Nothing ticked: the page again, with an error summary linking to the first checkbox.
      await page.getByRole('button', { name: 'Accept selected', exact: true }).click();
      const summary = page.getByRole('alert');
      expect(await summary.getByRole('link').allTextContents()).toEqual([
        'Choose at least one, or reject the request.',
      ]);
      await snap('nothing-chosen');
      await checkWithAxe('nothing chosen');

      // Only the optional right: the required one is named in the summary.
      await taxBox.check();
      await page.getByRole('button', { name: 'Accept selected', exact: true }).click();
      expect(await page.getByRole('alert').getByRole('link').allTextContents()).toEqual([
        '“Income information” is required: the request can only be accepted with it.',
      ]);
      expect(await taxBox.isChecked()).toBe(true);
      await snap('required-missing');
      await checkWithAxe('required missing');

      // The required right only: accepted, back at the consumer; tax declined.
      await taxBox.uncheck();
      await income.check();
      await page.getByRole('button', { name: 'Accept selected', exact: true }).click();
      await page.waitForURL(`${consumerUrl}/**`);
      expect(page.url()).toBe(`${consumerUrl}/done?Status=OK`);
      const [row] = await sql(t, 'SELECT status, partial_acceptance FROM consent_requests WHERE id = $1', [
        id,
      ]);
      expect(row).toEqual({ status: 'accepted', partial_acceptance: { required: [0], declined: [1] } });

      await page.goto(`${t.url}/consent/receipt/${id}?lang=en`);
      const receipt = (await page.locator('main').textContent())?.replace(/\s+/g, ' ') ?? '';
      expect(receipt).toContain('You accepted 1 of 2.');
      expect(receipt).toContain('Income information Accepted');
      expect(receipt).toContain('Tax assessment Declined');
      await snap('receipt');
      await checkWithAxe('receipt');
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
      await axeContext.close();
    }
    expect(axe).toEqual({ request: [], 'nothing chosen': [], 'required missing': [], receipt: [] });
  }, 180_000);
});
