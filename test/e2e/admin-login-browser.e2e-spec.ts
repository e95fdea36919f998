import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { personNumber, uniqueCode } from '../factories/orgs.js';
import { grantOrgRoles } from '../factories/portal-fixtures.js';
import { ADMIN_ORG, registerOwner, type TestOwner } from '../factories/registry.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  browserSuite,
  launchBrowser,
  screenshot,
  seriousAxeViolations,
  type AxeViolation,
} from '../helpers/browser.js';
import { bearer } from '../helpers/tokens.js';

/**
 * The admin login in a real browser (Debian's chromium, playwright-core), as the people it is
 * for use it (issue 20): open Swagger UI at /docs, Authorize with the admin-login scheme, log in
 * through the development form as a person with HADM for the Tax Administration, choose the
 * organisation, add a bank to an access list with "Try it out" and see it answered with the
 * bank's name, then find the person in the audit log — all through Swagger UI. A person without
 * the role is refused with a clear page, and axe-core finds no serious or critical violations
 * on the login, organisation-choice and refusal pages.
 *
 * Skipped only when chromium is not installed and we are not in CI (in CI it must run).
 */

const TAX_ADMINISTRATION = '974761076';
const BANK = '984851006';
const MEMBERS_PATH = '/resourceregistry/api/v1/access-lists/{owner}/{identifier}/members';

let t: TestApp;
let browser: Browser;
let skd: TestOwner;
let listId: string;
const person = personNumber();

browserSuite('admins in Swagger UI, in a real browser (issue 20)', () => {
  beforeAll(async () => {
    t = await createTestApp();
    const admin = await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
    const put = (p: string, body: unknown) =>
      fetch(`${t.url}${p}`, {
        method: 'PUT',
        headers: { authorization: admin, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    skd = await registerOwner(t, { orgcode: 'skd', orgNumber: TAX_ADMINISTRATION });
    expect(
      (
        await put(`/admin/v1/organizations/${TAX_ADMINISTRATION}`, {
          name: { nb: 'Skatteetaten' },
          organizationForm: 'ORGL',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await put(`/admin/v1/organizations/${BANK}`, {
          name: { nb: 'DNB BANK ASA' },
          organizationForm: 'ASA',
        })
      ).status,
    ).toBe(201);
    await grantOrgRoles(t, TAX_ADMINISTRATION, person, ['HADM']);
    listId = uniqueCode('banker-');
    const list = await fetch(`${t.url}/resourceregistry/api/v1/access-lists/skd/${listId}`, {
      method: 'PUT',
      headers: {
        authorization: await bearer(t, {
          org: skd.orgNumber,
          scope: 'altinn:resourceregistry/accesslist.write',
        }),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'Banker' }),
    });
    expect(list.status).toBe(201);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Fills a parameter of an expanded operation in "Try it out" mode. */
  async function fillParameter(op: ReturnType<Page['locator']>, name: string, value: string): Promise<void> {
    await op.locator(`tr[data-param-name="${name}"] input`).fill(value);
  }

  it('authorizes through the dev login, adds a bank with Try it out, and finds the person in the audit log', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto(`${t.url}/docs`);
      await page.locator('button.btn.authorize').first().click();
      const scheme = page.locator('.auth-container', { hasText: 'admin-login' });
      expect(await scheme.locator('input#client_id_authorizationCode').inputValue()).toBe('swagger-ui');
      await scheme.getByText('select all', { exact: true }).click();
      await screenshot(page, 'admin-swagger-authorize');

      // Swagger opens /authorize in a popup: the portal login, then the organisation choice.
      const [popup] = await Promise.all([
        page.waitForEvent('popup'),
        scheme.getByRole('button', { name: 'Apply given OAuth2 credentials' }).click(),
      ]);
      await popup.waitForURL(/\/login\?/);
      await popup.getByLabel('Fødselsnummer (11 siffer)').fill(person);
      await popup.getByRole('button', { name: 'Logg inn', exact: true }).click();
      await popup.waitForURL(/\/authorize\?/);
      expect(await popup.locator('h1').textContent()).toBe('Velg virksomhet');
      expect(await popup.getByLabel(/Skatteetaten/).isChecked()).toBe(true);
      await screenshot(popup, 'admin-choose-organisation');
      await Promise.all([
        popup.waitForEvent('close'),
        popup.getByRole('button', { name: 'Fortsett' }).click(),
      ]);

      // Back in Swagger UI with a token: the scheme now offers "Logout".
      await scheme.getByRole('button', { name: 'Remove authorization' }).waitFor();
      await page.locator('.modal-ux button.close-modal').click();

      // Try it out: add the bank to the Tax Administration's access list.
      const op = page.locator(`.opblock-post:has([data-path="${MEMBERS_PATH}"])`);
      await op.locator('.opblock-summary').click();
      await op.getByRole('button', { name: 'Try it out' }).click();
      await fillParameter(op, 'owner', 'skd');
      await fillParameter(op, 'identifier', listId);
      await op
        .locator('textarea.body-param__text')
        .fill(JSON.stringify({ data: [`urn:altinn:organization:identifier-no:${BANK}`] }));
      await op.getByRole('button', { name: 'Execute' }).click();
      const status = op.locator('.live-responses-table .response .response-col_status').first();
      await status.waitFor();
      expect((await status.textContent())?.trim()).toBe('200');
      const body = await op
        .locator('.live-responses-table .response-col_description pre.microlight')
        .first()
        .textContent();
      expect(body).toContain('DNB BANK ASA');
      await screenshot(page, 'admin-try-it-out-members');

      // The audit log, through Swagger UI with the same login: the person is recorded.
      const audit = page.locator('.opblock-get:has([data-path="/admin/v1/audit"])');
      await audit.locator('.opblock-summary').click();
      await audit.getByRole('button', { name: 'Try it out' }).click();
      await audit.getByRole('button', { name: 'Execute' }).click();
      const auditStatus = audit.locator('.live-responses-table .response .response-col_status').first();
      await auditStatus.waitFor();
      expect((await auditStatus.textContent())?.trim()).toBe('200');
      const trail = await audit
        .locator('.live-responses-table .response-col_description pre.microlight')
        .first()
        .textContent();
      expect(trail).toContain(`"person": "${person}"`);
      expect(trail).toContain('access-list.members');
    } finally {
      await context.close();
    }
  }, 120_000);

  it('refuses a person without an administrator role with a clear page', async () => {
    const stranger = personNumber();
    await grantOrgRoles(t, TAX_ADMINISTRATION, stranger, ['DAGL']);
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${t.url}/docs`);
      await page.locator('button.btn.authorize').first().click();
      const scheme = page.locator('.auth-container', { hasText: 'admin-login' });
      const [popup] = await Promise.all([
        page.waitForEvent('popup'),
        scheme.getByRole('button', { name: 'Apply given OAuth2 credentials' }).click(),
      ]);
      await popup.waitForURL(/\/login\?/);
      await popup.getByLabel('Fødselsnummer (11 siffer)').fill(stranger);
      await popup.getByRole('button', { name: 'Logg inn', exact: true }).click();
      await popup.waitForURL(/\/authorize\?/);
      expect(await popup.locator('h1').textContent()).toBe('Du er ikke administrator for noen virksomhet');
      expect(await popup.locator('main').textContent()).toContain('hovedadministrator (HADM)');
      await screenshot(popup, 'admin-no-role');
    } finally {
      await context.close();
    }
  }, 60_000);

  it('has no serious or critical accessibility violations on the login, choice and refusal pages (axe-core)', async () => {
    // axe is injected as a script, which the pages' CSP rightly forbids: bypass it here only.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const results: Record<string, AxeViolation[]> = {};
    const check = async (name: string) => {
      results[name] = await seriousAxeViolations(page);
    };
    const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
    const authorize = `/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: 'swagger-ui',
      redirect_uri: `${t.url}/docs/oauth2-redirect.html`,
      state: 'axe',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString()}`;
    try {
      await page.goto(`${t.url}${authorize}`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await check('login');
      await page.getByLabel('Fødselsnummer (11 siffer)').fill(person);
      await page.getByRole('button', { name: 'Logg inn', exact: true }).click();
      await page.waitForURL(/\/authorize\?/);
      await check('organisation choice (nb)');
      await page.goto(`${t.url}${authorize}&lang=en`);
      await check('organisation choice (en)');
      await page.goto(`${t.url}/authorize?client_id=unknown`);
      await check('invalid login link');
    } finally {
      await context.close();
    }
    expect(results).toEqual({
      login: [],
      'organisation choice (nb)': [],
      'organisation choice (en)': [],
      'invalid login link': [],
    });
  }, 60_000);
});
