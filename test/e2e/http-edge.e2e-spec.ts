/**
 * The HTTP edge of every route (DESIGN §6, §11): what Node's parser refuses answers
 * problem+json (never Fastify's default JSON or a bare Node status line), and text the database
 * cannot store (U+0000, unpaired surrogates) is refused for every JSON and form body, at any
 * depth and in keys, with a 400 naming the field — and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/tokens.js';
import {
  CONSENT_PATH,
  consentBody,
  consentCounts,
  consentWorld,
  sql,
} from '../factories/consent-fixtures.js';
import { ACCESS_LIST_WRITE, rawExchange } from '../factories/gateway-fixtures.js';
import { registerOwner, type TestOwner } from '../factories/registry.js';
import { expectProblem } from '../factories/problems.js';
import { Scopes } from '../../src/common/auth/scopes.js';

let t: TestApp;
let owner: TestOwner;
let listAuth: string;

beforeAll(async () => {
  t = await createTestApp();
  owner = await registerOwner(t);
  listAuth = await bearer(t, { org: owner.orgNumber, scope: [ACCESS_LIST_WRITE, Scopes.accessListRead] });
});

afterAll(async () => {
  await t?.close();
});

const TEXT_TITLE = 'Text must not contain U+0000 or an unpaired UTF-16 surrogate.';

describe('requests the HTTP parser refuses answer problem+json and close the connection', () => {
  const head = (lines: string) => `GET /health/live HTTP/1.1\r\nHost: x\r\n${lines}\r\n`;
  it.each([
    [
      'a bad request line',
      'GET /health/live HTTP/1.1 extra\r\nHost: x\r\n\r\n',
      400,
      'STD-00400',
      'The request line is malformed (method, target or HTTP version).',
    ],
    [
      'a bad method',
      'G(T / HTTP/1.1\r\nHost: x\r\n\r\n',
      400,
      'STD-00400',
      'The request line is malformed (method, target or HTTP version).',
    ],
    [
      'a folded header line (obs-fold)',
      head('X-A: a\r\n  b\r\n'),
      400,
      'STD-00400',
      'A request header is malformed (name, CR/LF/NUL in a value, or a folded line).',
    ],
    [
      'a space before the colon',
      head('X-A : a\r\n'),
      400,
      'STD-00400',
      'A request header is malformed (name, CR/LF/NUL in a value, or a folded line).',
    ],
    [
      'NUL in a header value',
      head('X-A: a\u0000b\r\n'),
      400,
      'STD-00400',
      'A request header is malformed (name, CR/LF/NUL in a value, or a folded line).',
    ],
    [
      'a bare CR in a header value',
      head('X-A: a\rb\r\n'),
      400,
      'STD-00400',
      'Lines of the request must end with CRLF.',
    ],
    [
      'Content-Length with Transfer-Encoding',
      'POST /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
      'STD-00400',
      'Content-Length and Transfer-Encoding must not be sent together.',
    ],
    [
      'two Content-Length headers',
      'POST /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      400,
      'STD-00400',
      'The Content-Length header is repeated.',
    ],
    [
      'a bad chunk size',
      `PUT /resourceregistry/api/v1/access-lists/x/y HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      400,
      'STD-00400',
      'The request body framing is invalid (chunk sizes, chunk extensions or Transfer-Encoding).',
    ],
    [
      'headers over 16 KiB',
      head(`X-A: ${'a'.repeat(20_000)}\r\n`),
      431,
      'STD-00431',
      'The request headers are larger than 16 KiB.',
    ],
    [
      'an HTTP/1.1 request without Host',
      'GET /health/live HTTP/1.1\r\n\r\n',
      400,
      'GW-00002',
      'An HTTP/1.1 request must carry exactly one Host header.',
    ],
    [
      'two Host headers',
      head('Host: y\r\n'),
      400,
      'GW-00002',
      'An HTTP/1.1 request must carry exactly one Host header.',
    ],
    [
      'a transfer coding other than chunked',
      'POST /health/live HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
      400,
      'GW-00002',
      'Only "Transfer-Encoding: chunked" is accepted.',
    ],
    [
      'an Expect other than 100-continue',
      head('Expect: teapot\r\n'),
      417,
      'STD-00417',
      'Only "Expect: 100-continue" is supported.',
    ],
  ])('%s', async (_what, bytes, status, code, detail) => {
    const res = await rawExchange(t, Buffer.from(bytes, 'latin1'));
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('connection')).toBe('close');
    expect(res.body).toMatchObject({ status, code, detail });
    expect(res.body.traceId).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('still serves HTTP/1.0 without Host, and Expect: 100-continue', async () => {
    expect((await rawExchange(t, 'GET /health/live HTTP/1.0\r\n\r\n')).status).toBe(200);
    const res = await rawExchange(
      t,
      'POST /health/live HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    expect(res.status).toBe(100); // then the final answer on the same connection
  });
});

describe('text that cannot be stored (400 naming the field, nothing written)', () => {
  const listUrl = (id: string) => `${t.url}/resourceregistry/api/v1/access-lists/${owner.orgcode}/${id}`;
  const put = (id: string, body: string) =>
    fetch(listUrl(id), {
      method: 'PUT',
      headers: { authorization: listAuth, 'content-type': 'application/json' },
      body,
    });
  const auditCount = async () =>
    Number(
      (await sql(t, 'SELECT count(*)::int AS n FROM audit_log WHERE owner_org = $1', [owner.orgNumber]))[0].n,
    );

  it.each([
    ['NUL in a value (issue 17 #7)', '{"name":"a\\u0000b"}', ['$.name']],
    ['a lone high surrogate', '{"name":"\\ud800"}', ['$.name']],
    ['a lone low surrogate', '{"name":"x","description":"\\udc00y"}', ['$.description']],
    ['NUL in a key', '{"name":"x","a\\u0000":1}', ['$["a\\u0000"]']],
    [
      'deep inside arrays and objects',
      '{"name":"x","description":[{"k":["ok","\\u0000"]}]}',
      ['$.description[0].k[1]'],
    ],
    ['several fields', '{"name":"\\u0000","description":"\\udfff"}', ['$.name', '$.description']],
  ])('refuses %s', async (_what, body, paths) => {
    const before = await auditCount();
    const res = await put('text-list', body);
    const problems = paths.map((p) => ({ code: 'STD.VLD-00001', title: TEXT_TITLE, paths: [p] }));
    expectProblem(
      { status: res.status, body: await res.json() },
      400,
      problems.length === 1 ? 'STD.VLD-00001' : 'STD-00000',
      'One or more validation errors occurred.',
      problems,
    );
    expect((await fetch(listUrl('text-list'), { headers: { authorization: listAuth } })).status).toBe(404);
    expect(await auditCount()).toBe(before);
  });

  it('stores a correctly paired surrogate (an emoji) and other unusual text faithfully', async () => {
    const name = 'Liste 😀 \u00e6\u00f8\u00e5 \ufffd \u2028';
    const res = await put('emoji-list', JSON.stringify({ name }));
    expect(res.status).toBe(201);
    const got = (await (
      await fetch(listUrl('emoji-list'), { headers: { authorization: listAuth } })
    ).json()) as {
      name: string;
    };
    expect(got.name).toBe(name);
  });

  it('refuses a JSON body that is not UTF-8, writing nothing', async () => {
    const before = await auditCount();
    const res = await fetch(listUrl('latin1-list'), {
      method: 'PUT',
      headers: { authorization: listAuth, 'content-type': 'application/json' },
      body: Buffer.from('{"name":"bl\u00e5"}', 'latin1'),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      detail: 'The request body is not UTF-8.',
      validationErrors: [{ paths: ['$'] }],
    });
    expect(await auditCount()).toBe(before);
  });

  it('refuses generated bodies with bad text anywhere and accepts the same bodies without it (property)', async () => {
    const clean = fc.string({ unit: 'grapheme', maxLength: 6 });
    const bad = fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', 'a\u0000', '\ud83dx');
    await fc.assert(
      fc.asyncProperty(clean, bad, fc.constantFrom('name', 'description'), async (text, poison, field) => {
        const id = `prop-${Math.random().toString(36).slice(2, 10)}`;
        const refused = await put(id, JSON.stringify({ name: 'n', [field]: `n${text}${poison}${text}` }));
        expect(refused.status).toBe(400);
        const problem = (await refused.json()) as { validationErrors: Array<{ paths: string[] }> };
        expect(problem.validationErrors.map((e) => e.paths)).toEqual([[`$.${field}`]]);
        expect((await fetch(listUrl(id), { headers: { authorization: listAuth } })).status).toBe(404);
        const stored = await put(id, JSON.stringify({ name: 'n', [field]: `n${text}${text}` }));
        expect(stored.status).toBe(201);
      }),
      { numRuns: 25 },
    );
  });

  it('refuses NUL in a consent request before anything is stored', async () => {
    const w = await consentWorld(t);
    const before = await consentCounts(t);
    const body = consentBody({ to: w.consumer.org, resource: w.resource });
    body.requestMessage = { nb: 'Hei\u0000' };
    const res = await fetch(`${t.url}${CONSENT_PATH}`, {
      method: 'POST',
      headers: { authorization: w.consumer.auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      validationErrors: [{ title: TEXT_TITLE, paths: ['$.requestMessage.nb'] }],
    });
    expect(await consentCounts(t)).toEqual(before);
  });
});

describe('form bodies', () => {
  const post = (path: string, body: string | Buffer) =>
    fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'manual',
    });

  it('answers /token in OAuth terms for NUL, bad encodings and a bearer token in the body or the query', async () => {
    for (const [body, description] of [
      ['grant_type=x&assertion=a%00b', 'One or more validation errors occurred.'],
      ['grant_type=x&assertion=%ff', 'One or more validation errors occurred.'],
      ['grant_type=x&access_token=abc', /^Send the bearer token in the Authorization header only/],
    ] as const) {
      const res = await post('/token', body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const json = (await res.json()) as { error: string; error_description: string };
      expect(json.error).toBe('invalid_request');
      expect(json.error_description).toMatch(description);
    }
    const query = await post('/token?access_token=abc', 'grant_type=x');
    expect(query.status).toBe(400);
    expect(await query.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a bearer token as a portal form field and NUL in a portal form', async () => {
    for (const body of ['pid=02013299997&access_token=abc', 'pid=0201329999%007']) {
      const res = await post('/login', body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });
});
