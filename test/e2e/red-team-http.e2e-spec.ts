/**
 * Red-team findings on request bodies (docs/security.md, "Red-team findings"): bodies that cost
 * the server far more than their size, through real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/tokens.js';
import { expectProblem } from '../factories/problems.js';
import { registerOwner, resourceBody, type TestOwner } from '../factories/registry.js';

let t: TestApp;
let owner: TestOwner;

beforeAll(async () => {
  t = await createTestApp();
  owner = await registerOwner(t);
});

afterAll(async () => {
  await t?.close();
});

async function send(path: string, method: string, contentType: string, body: string, auth?: string) {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { 'content-type': contentType, ...(auth ? { authorization: auth } : {}) },
    body,
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as Record<string, unknown> };
}

describe('RT-10: a deeply nested JSON body', () => {
  it('is 400 naming the body, not a 500 from a stack overflow, and nothing is stored', async () => {
    const auth = await bearer(t, {
      org: owner.orgNumber,
      scope: ['altinn:resourceregistry/accesslist.write', 'altinn:resourceregistry/accesslist.read'],
    });
    const path = `/resourceregistry/api/v1/access-lists/${owner.orgcode}/deep`;
    const deep = `{"name":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const res = await send(path, 'PUT', 'application/json', deep, auth);
    expectProblem(res, 400, 'STD.VLD-00001', 'The JSON body nests deeper than 32 levels.', [
      { code: 'STD.VLD-00001', title: 'The JSON body nests deeper than 32 levels.', paths: ['$'] },
    ]);
    const get = await fetch(`${t.url}${path}`, { headers: { authorization: auth } });
    expect(get.status).toBe(404);
  });
});

describe('RT-11: a form with very many fields', () => {
  const many = `pid=02013299997&${'x=1&'.repeat(100_000)}`;

  it('is refused with 413 problem+json on the portal login', async () => {
    const res = await send('/login', 'POST', 'application/x-www-form-urlencoded', many);
    expectProblem(res, 413, 'STD-00413', 'The form has more than 1000 fields.');
  });

  it('is refused with an OAuth error on /token', async () => {
    const res = await send('/token', 'POST', 'application/x-www-form-urlencoded', 'x=1&'.repeat(16_000));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'The form has more than 1000 fields.',
    });
  });

  it('still serves other requests afterwards', async () => {
    expect((await fetch(`${t.url}/health/live`)).status).toBe(200);
  });
});

describe("RT-12: members named like Object.prototype's own (`constructor`, `toString`…)", () => {
  it('a resource whose consentMetadata has a key `constructor` is 400 naming it, not a 500, and nothing is stored', async () => {
    const body = resourceBody(owner, { consentMetadata: { constructor: { optional: true } } });
    const res = await send(
      '/resourceregistry/api/v1/resource',
      'POST',
      'application/json',
      JSON.stringify(body),
      owner.auth,
    );
    expect(res.status).toBe(400);
    expect(res.body.validationErrors).toEqual([
      {
        code: 'STD.VLD-00002',
        title: 'Unknown field $.consentMetadata.constructor',
        paths: ['$.consentMetadata.constructor'],
      },
    ]);
    const get = await fetch(`${t.url}/resourceregistry/api/v1/resource/${body.identifier as string}`);
    expect(get.status).toBe(404);
  });

  it('an access list with a top-level `constructor` or `toString` member is 400 (unknown field), and nothing is stored', async () => {
    const auth = await bearer(t, {
      org: owner.orgNumber,
      scope: ['altinn:resourceregistry/accesslist.write', 'altinn:resourceregistry/accesslist.read'],
    });
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__defineSetter__']) {
      const path = `/resourceregistry/api/v1/access-lists/${owner.orgcode}/proto-${name.replace(/_/g, '').toLowerCase()}`;
      const res = await send(
        path,
        'PUT',
        'application/json',
        JSON.stringify({ name: 'a', [name]: 'zzz' }),
        auth,
      );
      expect(res.status).toBe(400);
      expect(res.body.validationErrors).toEqual([
        { code: 'STD.VLD-00002', title: `Unknown field $.${name}`, paths: [`$.${name}`] },
      ]);
      expect((await fetch(`${t.url}${path}`, { headers: { authorization: auth } })).status).toBe(404);
    }
  });
});
