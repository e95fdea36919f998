/**
 * The integration guide (DESIGN §4.11, §10 "Guide JSON"): public, JSON or HTML by `Accept`, nb
 * or en, generated from the registry — and its examples really work against the API.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers and rows are checked by the assertions */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { CONSENT_PATH, consumer, http } from '../factories/consent-fixtures.js';
import { registerApi, type GatewayWorld } from '../factories/gateway-fixtures.js';
import { createResource, registerOwner, type TestOwner } from '../factories/registry.js';
import { orgNumber } from '../factories/orgs.js';

let t: TestApp;
let owner: TestOwner;
let resource: string;
let bare: string;
let api: string;

beforeAll(async () => {
  t = await createTestApp();
  owner = await registerOwner(t);
  const r = await createResource(t, owner, {
    title: { nb: 'Inntekt & skatt <2024>', nn: 'Inntekt og skatt', en: 'Income & tax <2024>' },
    description: { nb: 'Opplysninger fra a-ordningen', en: 'Data from the a-ordning' },
    consentMetadata: { inntektsaar: { optional: false }, kilde: { optional: true } },
    consentText: {
      nb: 'Inntekt for {inntektsaar} ({kilde}).',
      nn: 'Inntekt for {inntektsaar}.',
      en: 'Income for {inntektsaar}.',
    },
    consentRoles: ['DAGL'],
  });
  resource = r.identifier;
  bare = (
    await createResource(t, owner, {
      consentMetadata: {},
      consentText: { nb: 'Data.', nn: 'Data.', en: 'Data.' },
    })
  ).identifier;
  const world: GatewayWorld = { owner, resource, scope: `${owner.orgcode}:inntekt`, consumer: orgNumber() };
  api = await registerApi(t, world, {
    name: `inntekt-${owner.orgcode}`.slice(0, 40),
    upstreamUrl: 'http://127.0.0.1:9/api',
    requiredScopes: [`${owner.orgcode}:inntekt`, `${owner.orgcode}:extra`],
    subject: { in: 'header', name: 'X-Subject' },
  });
});

afterAll(async () => {
  await t?.close();
});

async function getGuide(id: string, headers: Record<string, string> = {}, query = ''): Promise<Response> {
  return fetch(`${t.url}/guide/${id}${query}`, { headers });
}

describe('the guide as JSON', () => {
  it('has exactly the decided fields, generated from the registry', async () => {
    const res = await getGuide(resource, { accept: 'application/json' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.headers.get('vary')).toContain('Accept');
    const g = (await res.json()) as Record<string, any>;
    expect(Object.keys(g)).toEqual([
      'resource',
      'title',
      'owner',
      'scopes',
      'metadata',
      'consentRoles',
      'contactPoints',
      'consentRequestExample',
      'tokenAssertionExample',
      'gateway',
    ]);
    expect(g.resource).toBe(resource);
    expect(g.title).toEqual({
      nb: 'Inntekt & skatt <2024>',
      nn: 'Inntekt og skatt',
      en: 'Income & tax <2024>',
    });
    expect(g.owner).toEqual({
      orgcode: owner.orgcode,
      orgNumber: owner.orgNumber,
      name: expect.objectContaining({ nb: `Etat ${owner.orgcode}` }),
    });
    expect(g.scopes).toEqual([
      `${owner.orgcode}:inntekt`,
      `${owner.orgcode}:extra`,
      'altinn:consentrequests.write',
      'altinn:consentrequests.read',
    ]);
    expect(g.metadata).toEqual([
      { key: 'inntektsaar', optional: false },
      { key: 'kilde', optional: true },
    ]);
    expect(g.consentRoles).toEqual(['DAGL']);
    expect(g.contactPoints).toEqual([
      { category: 'Tilgang', email: 'tilgang@example.no', contactPage: 'https://example.no/tilgang' },
    ]);
    expect(g.consentRequestExample).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      from: 'urn:altinn:person:identifier-no:02013299997',
      requiredDelegator: null,
      to: 'urn:altinn:organization:identifier-no:923609016',
      validTo: expect.any(String),
      consentRights: [
        {
          action: ['consent'],
          resource: [{ type: 'urn:altinn:resource', value: resource }],
          metadata: { inntektsaar: '<inntektsaar>' },
        },
      ],
      requestMessage: { nb: expect.any(String), en: expect.any(String) },
      redirectUrl: 'https://consumer.example/consent-callback',
      portalViewMode: 'hide',
    });
    expect(new Date(g.consentRequestExample.validTo as string).getTime()).toBeGreaterThan(
      Date.now() + 20 * 86_400_000,
    );
    expect(g.tokenAssertionExample).toEqual({
      header: { alg: 'RS256', kid: '<your key id>', typ: 'JWT' },
      payload: {
        aud: `${t.url}/`,
        iss: '<your client_id>',
        scope: `${owner.orgcode}:inntekt ${owner.orgcode}:extra`,
        iat: expect.any(Number),
        exp: expect.any(Number),
        jti: expect.any(String),
        authorization_details: [
          {
            type: 'urn:altinn:consent',
            id: '<consent request id>',
            from: 'urn:altinn:person:identifier-no:02013299997',
          },
        ],
      },
    });
    expect(g.tokenAssertionExample.payload.exp - g.tokenAssertionExample.payload.iat).toBe(120);
    expect(g.gateway).toEqual({
      name: api,
      url: `${t.url}/proxy/${api}/`,
      headers: [
        'X-Consent-Id',
        'X-Consent-From',
        'X-Consent-To',
        'X-Consent-Metadata',
        'X-Forwarded-For',
        'X-Forwarded-Proto',
        'X-Request-Id',
      ].map((name) => ({ name, description: expect.any(String) })),
      requestHeaders: [
        { name: 'Authorization', description: expect.stringContaining('Bearer') },
        { name: 'X-Subject', description: expect.any(String) },
      ],
      requiredScopes: [`${owner.orgcode}:inntekt`, `${owner.orgcode}:extra`],
      requiredAction: 'consent',
      audience: null,
      subject: { in: 'header', name: 'X-Subject' },
    });
  });

  it('gives a consent-request body that the consent API accepts once the consumer fills in its own values', async () => {
    const g = (await (await getGuide(resource, { accept: 'application/json' })).json()) as Record<
      string,
      any
    >;
    const c = await consumer(t);
    const body = structuredClone(g.consentRequestExample);
    body.to = `urn:altinn:organization:identifier-no:${c.org}`;
    body.consentRights[0].metadata.inntektsaar = '2024';
    const res = await http(t, 'POST', CONSENT_PATH, c.auth, body);
    expect(res.status).toBe(201);
    expect(res.body.consentRights).toEqual(body.consentRights);
  });

  it('says gateway: null while no protected API honours the resource, and describes in English on request', async () => {
    const res = await getGuide(bare, { accept: 'application/json', 'accept-language': 'en' });
    const g = (await res.json()) as Record<string, any>;
    expect(g.gateway).toBeNull();
    expect(g.metadata).toEqual([]);
    expect(g.consentRequestExample.consentRights[0].metadata).toEqual({});
    expect(g.tokenAssertionExample.payload.scope).toBe(`${owner.orgcode}:inntekt`);
    const en = (await (
      await getGuide(resource, { accept: 'application/json' }, '?lang=en')
    ).json()) as Record<string, any>;
    expect(en.gateway.headers[0].description).toBe('The consent’s id.');
    const nb = (await (
      await getGuide(resource, { accept: 'application/json' }, '?lang=nb')
    ).json()) as Record<string, any>;
    expect(nb.gateway.headers[0].description).toBe('Samtykkets id.');
  });

  it('answers JSON for ?format=json and for Accept that prefers JSON, HTML for browsers and */*', async () => {
    const type = async (h: Record<string, string>, q = '') =>
      (await getGuide(resource, h, q)).headers.get('content-type') ?? '';
    expect(await type({}, '?format=json')).toContain('application/json');
    expect(await type({ accept: 'application/json, text/html;q=0.5' })).toContain('application/json');
    expect(
      await type({ accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }),
    ).toContain('text/html');
    expect(await type({ accept: '*/*' })).toContain('text/html');
    expect(await type({})).toContain('text/html');
    expect(await type({ accept: 'application/json;q=0.5, text/html' })).toContain('text/html');
  });

  it('answers 404 problem+json GUIDE-00001 for an unknown resource', async () => {
    const res = await getGuide('no-such-resource', { accept: 'application/json' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 404, code: 'GUIDE-00001' });
  });

  it('answers 404 for a deleted resource', async () => {
    const gone = (await createResource(t, owner, {})).identifier;
    const del = await fetch(`${t.url}/resourceregistry/api/v1/resource/${gone}`, {
      method: 'DELETE',
      headers: { authorization: owner.auth },
    });
    expect(del.status).toBeLessThan(300);
    expect((await getGuide(gone, { accept: 'application/json' })).status).toBe(404);
  });
});

describe('the guide as HTML', () => {
  it('is a public, self-contained page in Bokmål by default, with every registry value escaped', async () => {
    const res = await getGuide(resource);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('<html lang="nb">');
    expect(html).toContain('Integrasjonsveiledning');
    expect(html).toContain('Inntekt &amp; skatt &lt;2024&gt;');
    expect(html).not.toContain('<2024>');
    expect(html).toContain(`<code>${owner.orgcode}:inntekt</code>`);
    expect(html).toContain('<code>inntektsaar</code>');
    expect(html).toContain(`${t.url}/proxy/${api}/`);
    expect(html).toContain('X-Consent-Metadata');
    expect(html).toContain('X-Subject');
    expect(html).not.toMatch(/<script/i);
  });

  it('is in English with ?lang=en or Accept-Language: en', async () => {
    for (const res of [
      await getGuide(resource, {}, '?lang=en'),
      await getGuide(resource, { 'accept-language': 'en-GB,en;q=0.9' }),
    ]) {
      const html = await res.text();
      expect(html).toContain('<html lang="en">');
      expect(html).toContain('Integration guide');
      expect(html).toContain('Income &amp; tax &lt;2024&gt;');
    }
  });

  it('answers an HTML 404 page for an unknown resource', async () => {
    const res = await getGuide('no-such-resource', { accept: 'text/html' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('Fant ikke ressursen');
  });
});
