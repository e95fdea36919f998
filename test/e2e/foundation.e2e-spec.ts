import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_ORG } from '../factories/registry.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/tokens.js';

const PROBLEM_JSON = 'application/problem+json';
const TRACE_ID = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;

/** Server-wide behaviour every endpoint relies on (DESIGN §4, §4.12, §6, §10). */
describe('foundation', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers an unknown route with a 404 problem+json carrying a traceId', async () => {
    const res = await fetch(`${t.url}/no/such/route`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain(PROBLEM_JSON);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 404,
      title: 'Not Found',
      type: expect.any(String),
      detail: expect.any(String),
      code: expect.any(String),
    });
    expect(body.traceId).toMatch(TRACE_ID);
  });

  it('answers malformed JSON with a 400 problem+json', async () => {
    const res = await fetch(`${t.url}/admin/v1/owners/xyz`, {
      method: 'PUT',
      headers: { authorization: admin, 'content-type': 'application/json' },
      body: '{"orgNumber": "991825827", "name": {',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain(PROBLEM_JSON);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 400 });
    expect(body.traceId).toMatch(TRACE_ID);
    expect(JSON.stringify(body)).not.toMatch(/SyntaxError|at .*\.js/);
  });

  it('answers a 2 MB JSON body with 413', async () => {
    const big = JSON.stringify({
      orgNumber: '991825827',
      name: { nb: 'x'.repeat(2 * 1024 * 1024), nn: 'x', en: 'x' },
    });
    const res = await fetch(`${t.url}/admin/v1/owners/xyz`, {
      method: 'PUT',
      headers: { authorization: admin, 'content-type': 'application/json' },
      body: big,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain(PROBLEM_JSON);
  });

  it('answers a text/plain body with 415', async () => {
    const res = await fetch(`${t.url}/admin/v1/owners/xyz`, {
      method: 'PUT',
      headers: { authorization: admin, 'content-type': 'text/plain' },
      body: 'orgNumber=991825827',
    });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toContain(PROBLEM_JSON);
  });

  it('reports liveness and readiness with 200', async () => {
    const live = await fetch(`${t.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${t.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok' });
  });

  it('serves Swagger UI at /docs and the OpenAPI document at /docs-json', async () => {
    const ui = await fetch(`${t.url}/docs`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toContain('text/html');
    const doc = await fetch(`${t.url}/docs-json`);
    expect(doc.status).toBe(200);
    const json = (await doc.json()) as { openapi?: string; paths: Record<string, unknown> };
    expect(json.openapi).toMatch(/^3\./);
    expect(Object.keys(json.paths)).toEqual(
      expect.arrayContaining([
        '/admin/v1/owners/{orgcode}',
        '/resourceregistry/api/v1/resource',
        '/admin/v1/audit',
      ]),
    );
  });

  it('exposes Prometheus metrics including request durations', async () => {
    await fetch(`${t.url}/health/live`);
    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('http_request_duration_seconds');
  });
});
