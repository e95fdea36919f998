import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
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
  orgUrnOf,
  personUrnOf,
  sql,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';
import { orgNumber, personNumber } from '../factories/orgs.js';
import { grantOrgRoles } from '../factories/portal-fixtures.js';
import { ADMIN_ORG } from '../factories/registry.js';
import { bearer } from '../helpers/tokens.js';
import { startUpstream, type Upstream } from '../factories/gateway-fixtures.js';
import { useConsentAtGateway } from '../factories/usage-fixtures.js';

/**
 * The portal in a real browser (Debian's chromium, driven by playwright-core): the whole flow
 * with JavaScript switched off and the real Content-Security-Policy on — login → request page
 * (names shown) → accept → back at the consumer → the consent used at the gateway → active list
 * (usage shown) → receipt → signed receipt downloaded and verified against /jwk → withdraw,
 * confirmed — in nb, nn and en, at 390 px and at desktop width, with a screenshot of every page
 * under test-artifacts/screenshots/ (CI keeps the folder), and an axe-core check of every page.
 *
 * Skipped only when chromium is not installed and we are not in CI (in CI it must run).
 */

/** The signed receipt's payload (docs/portal.md), as far as this test reads it. */
interface SignedReceipt {
  consentRequestId: string;
  status: string;
  language: string;
  text: { sha256: string; html: string };
  parties: Record<string, unknown>;
  times: { accepted: string; ended: string | null };
}

const LABELS = {
  nb: {
    login: 'Logg inn',
    accept: 'Godta',
    reject: 'Avvis',
    revoke: 'Trekk tilbake',
    receipt: 'Se kvittering',
    revoked: 'Samtykket er trukket tilbake.',
    heading: 'ønsker å hente opplysninger om deg',
    pid: 'Fødselsnummer (11 siffer)',
    confirm: 'Ja, trekk tilbake samtykket',
    requestedBy: 'Forespurt av',
    dataHeldBy: 'Opplysningene hentes fra',
    owner: 'Etat',
    used: 'Brukt 2 ganger, sist',
    download: 'Last ned signert kvittering',
    withdrawTitle: 'Vil du trekke tilbake samtykket?',
  },
  nn: {
    login: 'Logg inn',
    accept: 'Godta',
    reject: 'Avvis',
    revoke: 'Trekk tilbake',
    receipt: 'Sjå kvittering',
    revoked: 'Samtykket er trekt tilbake.',
    heading: 'ønskjer å hente opplysningar om deg',
    pid: 'Fødselsnummer (11 siffer)',
    confirm: 'Ja, trekk tilbake samtykket',
    requestedBy: 'Førespurd av',
    dataHeldBy: 'Opplysningane vert henta frå',
    owner: 'Etat',
    used: 'Brukt 2 gonger, sist',
    download: 'Last ned signert kvittering',
    withdrawTitle: 'Vil du trekkje tilbake samtykket?',
  },
  en: {
    login: 'Log in',
    accept: 'Accept',
    reject: 'Reject',
    revoke: 'Withdraw',
    receipt: 'View receipt',
    revoked: 'The consent has been withdrawn.',
    heading: 'would like to retrieve information about you',
    pid: 'National identity number (11 digits)',
    confirm: 'Yes, withdraw the consent',
    requestedBy: 'Requested by',
    dataHeldBy: 'The information is fetched from',
    owner: 'Agency',
    used: 'Used 2 times, last',
    download: 'Download signed receipt',
    withdrawTitle: 'Do you want to withdraw the consent?',
  },
} as const;
type Lang = keyof typeof LABELS;

let t: TestApp;
let w: ConsentWorld;
let browser: Browser;
let consumerSite: ConsumerSite;
let consumerUrl: string;
let upstream: Upstream;

browserSuite('the portal in a real browser', () => {
  beforeAll(async () => {
    t = await createTestApp();
    w = await consentWorld(t);
    // The consumer is also a registered organisation here, so the pages name it.
    const named = await fetch(`${t.url}/admin/v1/owners/testbank${w.consumer.org}`, {
      method: 'PUT',
      headers: {
        authorization: await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' }),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        orgNumber: w.consumer.org,
        name: { nb: 'Testbanken ASA', nn: 'Testbanken ASA', en: 'Testbanken ASA' },
      }),
    });
    expect(named.status).toBe(201);
    // The consumer's landing page the decision redirects to.
    consumerSite = await startConsumerSite();
    consumerUrl = consumerSite.url;
    upstream = await startUpstream();
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await upstream?.close();
    await consumerSite?.close();
    await t?.close();
  });

  async function newRequest(from: string): Promise<string> {
    const dto = await createConsent(
      t,
      w.consumer.auth,
      consentBody({
        to: w.consumer.org,
        resource: w.resource,
        from,
        metadata: { inntektsaar: '2024' },
        requestMessage: {
          nb: 'Vi trenger inntekten din for å behandle lånesøknaden.',
          nn: 'Vi treng inntekta di for å handsame lånesøknaden.',
          en: 'We need your income to process your loan application.',
        },
        redirectUrl: `${consumerUrl}/done#/loan/42`,
      }),
    );
    return dto.id as string;
  }

  /** A browser with JavaScript off (phone-sized unless told); CSP violations are collected. */
  async function noScriptContext(width = 390): Promise<{
    context: BrowserContext;
    page: Page;
    cspViolations: string[];
  }> {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width, height: width < 600 ? 844 : 900 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    return { context, page, cspViolations };
  }

  /**
   * Downloads the signed receipt from the receipt page and verifies it offline, as
   * docs/portal.md tells anyone to: signature against `/jwk` (jose), issuer, type, algorithm, and
   * the text against its SHA-256.
   */
  async function verifiedReceipt(page: Page, lang: Lang, id: string): Promise<SignedReceipt> {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: LABELS[lang].download }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`consent-receipt-${id}.jws`);
    const jws = readFileSync(await download.path(), 'utf8');
    const jwks = createLocalJWKSet((await (await fetch(`${t.url}/jwk`)).json()) as { keys: [] });
    const { payload } = await jwtVerify(jws, jwks, {
      issuer: `${t.url}/`,
      typ: 'consent-receipt+jwt',
      algorithms: ['RS256'],
    });
    const receipt = payload as unknown as SignedReceipt;
    expect(createHash('sha256').update(receipt.text.html, 'utf8').digest('hex')).toBe(receipt.text.sha256);
    return receipt;
  }

  async function login(page: Page, lang: Lang, pid: string): Promise<void> {
    await page.getByLabel(LABELS[lang].pid).fill(pid);
    await page.getByRole('button', { name: LABELS[lang].login, exact: true }).click();
  }

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
