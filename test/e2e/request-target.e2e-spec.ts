import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { rawRequest } from '../factories/gateway-fixtures.js';
import { problemBody } from '../factories/consent-fixtures.js';

/**
 * Request-target hygiene is server-wide (DESIGN §10): targets that Fastify's router refuses
 * before any hook runs (a percent-encoding that is not UTF-8, an over-long path parameter) come
 * out as problem+json like every other refusal, and the gateway refuses the same targets itself
 * before it looks up the API, so overlong UTF-8 (`%c0%af` = "/") never reaches an upstream.
 */
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(async () => {
  await t?.close();
});

const BAD_ENCODING = 'The request target contains a malformed or repeatedly nested percent-encoding.';
const NOT_UTF8 = 'The request path contains a percent-encoding that does not decode to UTF-8 text.';

describe('targets the router refuses, as problem+json', () => {
  it.each([
    ['/api/v1/consentrequests/%zz', BAD_ENCODING],
    ['/health/%', BAD_ENCODING],
    ['/admin/v1/apis/%E0%A4%A', BAD_ENCODING],
    ['/api/v1/consentrequests/%c0%af', NOT_UTF8],
    ['/admin/v1/apis/%ff', NOT_UTF8],
    ['/proxy/no-such-api/%c0%ae%c0%ae/admin', NOT_UTF8],
    ['/proxy/no-such-api/%25c0%25af', NOT_UTF8],
  ])('%s → 400 GW-00002', async (path, detail) => {
    const res = await rawRequest(t, { path });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual(problemBody(400, 'GW-00002', 'Bad Request', detail));
    expect(res.body.traceId).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('answers an over-long path parameter with 414 problem+json', async () => {
    const res = await rawRequest(t, { path: `/admin/v1/apis/${'a'.repeat(600)}` });
    expect(res.status).toBe(414);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual(
      problemBody(414, 'STD-00414', 'URI Too Long', 'A path segment of the request target is too long.'),
    );
  });

  it('still routes UTF-8 paths and leaves query values alone', async () => {
    const res = await rawRequest(t, { path: '/health/live?x=%ff&y=%C3%A6' });
    expect(res.status).toBe(200);
    const unknown = await rawRequest(t, { path: '/api/v1/%C3%A6%C3%B8%C3%A5' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
