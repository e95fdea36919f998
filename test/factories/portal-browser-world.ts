/**
 * The world of the portal's real-browser files (portal-browser, portal-browser-checks): an app
 * whose consumer is a named organisation, the consumer's landing page, an upstream for using the
 * consent at the gateway, chromium; and the steps they share (a new request, a browser without
 * JavaScript, logging in, the signed receipt verified offline).
 */
import { expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, startConsumerSite } from '../helpers/browser.js';
import { bearer } from '../helpers/tokens.js';
import { consentBody, consentWorld, createConsent, type ConsentWorld } from './consent-fixtures.js';
import { startUpstream, type Upstream } from './gateway-fixtures.js';
import { ADMIN_ORG } from './registry.js';

export /** The signed receipt's payload (docs/portal.md), as far as this test reads it. */
interface SignedReceipt {
  consentRequestId: string;
  status: string;
  language: string;
  text: { sha256: string; html: string };
  parties: Record<string, unknown>;
  times: { accepted: string; ended: string | null };
}

export const LABELS = {
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
export type Lang = keyof typeof LABELS;

export interface PortalBrowserWorld {
  t: TestApp;
  w: ConsentWorld;
  browser: Browser;
  consumerUrl: string;
  upstream: Upstream;
  close(): Promise<void>;
}

export async function startPortalBrowserWorld(): Promise<PortalBrowserWorld> {
  const t = await createTestApp();
  const w = await consentWorld(t);
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
  const consumerSite = await startConsumerSite();
  const upstream = await startUpstream();
  const browser = await launchBrowser();
  return {
    t,
    w,
    browser,
    consumerUrl: consumerSite.url,
    upstream,
    async close() {
      await browser.close();
      await upstream.close();
      await consumerSite.close();
      await t.close();
    },
  };
}

/** A request from `from` with a request message, redirecting to the consumer's landing page. */
export async function newRequest(pw: PortalBrowserWorld, from: string): Promise<string> {
  const { t, w, consumerUrl } = pw;
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
export async function noScriptContext(
  browser: Browser,
  width = 390,
): Promise<{
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
export async function verifiedReceipt(
  t: TestApp,
  page: Page,
  lang: Lang,
  id: string,
): Promise<SignedReceipt> {
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

/** Logs in on the login page the portal has shown. */
export async function login(page: Page, lang: Lang, pid: string): Promise<void> {
  await page.getByLabel(LABELS[lang].pid).fill(pid);
  await page.getByRole('button', { name: LABELS[lang].login, exact: true }).click();
}
