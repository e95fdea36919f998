/**
 * Red-team findings on the admin login (docs/security.md, "Red-team findings", RT2-*), kept as
 * regressions through real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(async () => {
  await t?.close();
});

describe('RT2-2: Swagger UI, which keeps the admin-login token (persistAuthorization), is never framed', () => {
  it.each(['/docs', '/docs/', '/docs/index.html', '/docs/oauth2-redirect.html'])(
    '%s refuses framing',
    async (p) => {
      const res = await fetch(`${t.url}${p}`, { redirect: 'manual' });
      expect(res.status).toBeLessThan(400);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    },
  );

  it('leaves the JSON APIs alone', async () => {
    const res = await fetch(`${t.url}/docs-json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBeNull();
  });
});
