/**
 * Errors that say what to do (issue 19): where a JSON body breaks, which Content-Type a JSON
 * endpoint wants, one message per field — and in every case nothing is written. Plus the
 * landing page at `/`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/tokens.js';
import { ADMIN_ORG, createResource, registerOwner } from '../factories/registry.js';
import { orgNumber, uniqueCode } from '../factories/orgs.js';

let t: TestApp;
let admin: string;

beforeAll(async () => {
  t = await createTestApp();
  admin = await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
});

afterAll(async () => {
  await t?.close();
});

async function putOwner(code: string, body: string, contentType?: string) {
  const res = await fetch(`${t.url}/admin/v1/owners/${code}`, {
    method: 'PUT',
    headers: { authorization: admin, ...(contentType === undefined ? {} : { 'content-type': contentType }) },
    body,
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

async function ownerExists(code: string): Promise<boolean> {
  const res = await fetch(`${t.url}/admin/v1/owners/${code}`, { headers: { authorization: admin } });
  return res.status === 200;
}

const validOwner = () =>
  JSON.stringify({ orgNumber: orgNumber(), name: { nb: 'Etat', nn: 'Etat', en: 'Agency' } });

describe('STD-00400: a body that is not JSON says why and where', () => {
  it.each([
    [
      'a doubled comma',
      '{\n  "orgNumber": "974761076",,\n  "name": {}\n}',
      'Expected double-quoted property name at line 2, column 28 (position 29)',
      { line: 2, column: 28, position: 29 },
    ],
    [
      'a bad literal',
      '{"orgNumber": tru}',
      'Unexpected character "}" at line 1, column 18 (position 17)',
      { line: 1, column: 18, position: 17 },
    ],
    [
      'a body cut short',
      '{"orgNumber": "9747',
      'Unterminated string at line 1, column 20 (position 19)',
      { line: 1, column: 20, position: 19 },
    ],
    [
      'trailing text',
      '{}x',
      'Unexpected non-whitespace character after JSON at line 1, column 3 (position 2)',
      { line: 1, column: 3, position: 2 },
    ],
  ])('%s', async (_what, body, where, position) => {
    const code = uniqueCode('e').slice(0, 20);
    const res = await putOwner(code, body, 'application/json');
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual({
      type: 'urn:consentgw:error:STD-00400',
      title: 'Bad Request',
      status: 400,
      code: 'STD-00400',
      detail: `The request body is not valid JSON: ${where}.`,
      ...position,
      traceId: expect.any(String),
    });
    expect(await ownerExists(code)).toBe(false);
  });

  it('still refuses prototype poisoning as before, without a position', async () => {
    const res = await putOwner('protox', '{"__proto__": {"x": 1}}', 'application/json');
    expect({ status: res.status, type: res.type }).toEqual({
      status: 400,
      type: expect.stringMatching(/^application\/problem\+json/),
    });
    expect(String(res.body.detail)).not.toContain('not valid JSON');
    expect(await ownerExists('protox')).toBe(false);
  });
});

describe('STD-00415: a JSON endpoint says which Content-Type it takes', () => {
  it('refuses a form body (curl -d without -H) instead of reading it as an odd field name', async () => {
    const code = uniqueCode('f').slice(0, 20);
    const res = await putOwner(code, validOwner(), 'application/x-www-form-urlencoded');
    expect(res.status).toBe(415);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      code: 'STD-00415',
      detail:
        'This endpoint takes a JSON body: send it with "Content-Type: application/json" ' +
        '(a form, application/x-www-form-urlencoded, is what curl -d sends by default).',
    });
    expect(await ownerExists(code)).toBe(false);
  });

  it.each([
    ['no Content-Type', undefined],
    ['text/plain', 'text/plain'],
  ])('refuses %s', async (_what, type) => {
    const code = uniqueCode('n').slice(0, 20);
    const res = await putOwner(code, validOwner(), type);
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ code: 'STD-00415' });
    expect(await ownerExists(code)).toBe(false);
  });

  it('still takes forms where the API says so (the token endpoint)', async () => {
    const res = await fetch(`${t.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=x.y.z',
    });
    // An OAuth error about the assertion (RFC 6749 §5.2), not a 415 about the form.
    expect([400, 401]).toContain(res.status);
    expect(((await res.json()) as { error?: string }).error).toBeDefined();
  });

  it('the JSON body itself is accepted', async () => {
    const code = uniqueCode('j').slice(0, 20);
    expect((await putOwner(code, validOwner(), 'application/json')).status).toBe(201);
    expect(await ownerExists(code)).toBe(true);
  });
});

describe('one message per field', () => {
  it('a missing field is one "required" message, not every rule it would break', async () => {
    const code = uniqueCode('m').slice(0, 20);
    const res = await putOwner(
      code,
      JSON.stringify({ orgNumber: orgNumber(), name: { nb: 'Etat', en: 'Agency' } }),
      'application/json',
    );
    expect(res.status).toBe(400);
    expect(res.body.validationErrors).toEqual([
      { code: 'STD.VLD-00000', title: 'name.nn is required', paths: ['$.name.nn'] },
    ]);
    expect(await ownerExists(code)).toBe(false);
  });

  it('a value of the wrong type is its type message only; two bad fields are two messages', async () => {
    const code = uniqueCode('w').slice(0, 20);
    const res = await putOwner(
      code,
      JSON.stringify({ name: { nb: 'Etat', nn: 7, en: 'Agency' } }),
      'application/json',
    );
    expect(res.status).toBe(400);
    expect(res.body.validationErrors).toEqual([
      { code: 'STD.VLD-00000', title: 'orgNumber is required', paths: ['$.orgNumber'] },
      { code: 'STD.VLD-00001', title: 'nn must be a string', paths: ['$.name.nn'] },
    ]);
    expect(await ownerExists(code)).toBe(false);
  });
});

describe('GET / is a landing page', () => {
  it('links to the API reference, the portal, the guides and health, in Bokmål and English, under a strict CSP', async () => {
    const owner = await registerOwner(t);
    const resource = await createResource(t, owner);
    const nb = await fetch(`${t.url}/`);
    expect(nb.status).toBe(200);
    expect(nb.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(nb.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await nb.text();
    expect(html).toContain('<html lang="nb">');
    for (const href of ['/docs', '/consent/active', '/health/ready', `/guide/${resource.identifier}?lang=nb`])
      expect(html).toContain(`href="${href}"`);
    expect(html).toContain('API-dokumentasjon');
    const en = await (await fetch(`${t.url}/`, { headers: { 'accept-language': 'en-GB,en;q=0.9' } })).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('API reference (Swagger)');
    expect(en).toContain(`href="/guide/${resource.identifier}?lang=en"`);
  });
});
