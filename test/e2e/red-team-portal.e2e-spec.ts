/**
 * Red-team findings on the portal (docs/security.md, "Red-team findings"), kept as regressions
 * through real HTTP: the development login as a browser submits it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { csrfOf, FormClient } from '../factories/portal-fixtures.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(async () => {
  await t?.close();
});

describe('RT-4: returnTo with dot segments that resolve to `//host`', () => {
  it.each(['/.//evil.example/x', '/consent/../..//evil.example', '/%2e//evil.example'])(
    'logs in and stays on the portal for returnTo=%s',
    async (returnTo) => {
      const browser = new FormClient(t.url);
      const form = await browser.get(`/login?returnTo=${encodeURIComponent(returnTo)}`);
      expect(form.body).not.toContain('//evil.example');
      const res = await browser.post('/login', { pid: '02013299997', _csrf: csrfOf(form.body), returnTo });
      expect(res.status).toBe(303);
      expect(res.location).toBe('/consent/active');
      expect(new URL(res.location!, t.url).origin).toBe(new URL(t.url).origin);
    },
  );

  it('still returns to a same-site path after resolving its dot segments', async () => {
    const browser = new FormClient(t.url);
    const form = await browser.get('/login');
    const res = await browser.post('/login', {
      pid: '02013299997',
      _csrf: csrfOf(form.body),
      returnTo: '/x/../consent/active?lang=en',
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/consent/active?lang=en');
  });
});
