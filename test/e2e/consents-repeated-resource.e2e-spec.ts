import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { mintToken } from '../helpers/tokens.js';
import {
  CONSENT_PATH,
  consentCounts,
  consumer as newConsumer,
  http,
  LOOKUP_PATH,
  orgUrnOf,
  personUrnOf,
  sql,
  type Consumer,
} from '../factories/consent-fixtures.js';
import {
  proxy,
  registerApi,
  startUpstream,
  type GatewayWorld,
  type Upstream,
} from '../factories/gateway-fixtures.js';
import { personNumber } from '../factories/orgs.js';
import { csrfOf, devLogin, textOf } from '../factories/portal-fixtures.js';
import { expectProblem } from '../factories/problems.js';
import { createResource, registerOwner } from '../factories/registry.js';
import { consumerWithClient, requestToken, type TestClient } from '../factories/token-fixtures.js';
import { verifyIssued } from '../factories/token-world.js';
import { bearer } from '../helpers/tokens.js';

/**
 * One resource in several consentRights with different metadata (issue 18 item 6; Altinn's own
 * guide asks for `inntektsaar` 2023 and 2024 as two rights on one resource), end to end: creation
 * and the stored consent, the portal (each right with its own metadata) and its receipt, the
 * issuer lookup, the token's `authorization_details`, and the gateway — any right that grants the
 * API's action covers the call, the first such right in the consent's order gives
 * `X-Consent-Metadata`, and local mode compares every right, in order.
 */

let t: TestApp;
let upstream: Upstream;
let world: GatewayWorld;
let client: TestClient;
let bank: Consumer;
const pid = personNumber();
const from = personUrnOf(pid);
let id: string;

const right = (resource: string, action: string[], inntektsaar: string) => ({
  action,
  resource: [{ type: 'urn:altinn:resource', value: resource }],
  metadata: { inntektsaar },
});

beforeAll(async () => {
  t = await createTestApp();
  upstream = await startUpstream();
  const { scope, client: c } = await consumerWithClient(t);
  client = c;
  const owner = await registerOwner(t, { orgNumber: scope.ownerOrg });
  const resource = await createResource(t, owner, {
    resourceReferences: [
      { referenceSource: 'Default', reference: scope.name, referenceType: 'MaskinportenScope' },
    ],
  });
  world = { owner, resource: resource.identifier, scope: scope.name, consumer: client.orgNumber };
  bank = await newConsumer(t, client.orgNumber);
});

afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

describe('the same resource in two rights (inntektsaar 2023 and 2024)', () => {
  it('is created and stored as two rights, each with its own metadata, naming the resource once', async () => {
    const rights = [
      right(world.resource, ['consent'], '2023'),
      right(world.resource, ['consent', 'read'], '2024'),
    ];
    const res = await http(t, 'POST', CONSENT_PATH, bank.auth, {
      id: randomUUID(),
      from,
      to: orgUrnOf(bank.org),
      validTo: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      consentRights: rights,
      redirectUrl: 'https://bank.example/done',
    });
    expect(res.status).toBe(201);
    id = res.body.id as string;
    expect(res.body.consentRights).toEqual(rights);
    const [row] = await sql(t, 'SELECT consent_rights, resources FROM consent_requests WHERE id = $1', [id]);
    expect(row).toEqual({ consent_rights: rights, resources: [world.resource] });
    expect((await http(t, 'GET', `${CONSENT_PATH}/${id}`, bank.read)).body.consentRights).toEqual(rights);
  });

  it('still checks every right on its own: a missing value in the second right is refused, nothing stored', async () => {
    const before = await consentCounts(t);
    const res = await http(t, 'POST', CONSENT_PATH, bank.auth, {
      id: randomUUID(),
      from,
      to: orgUrnOf(bank.org),
      validTo: new Date(Date.now() + 86_400_000).toISOString(),
      consentRights: [right(world.resource, ['consent'], '2023'), right(world.resource, ['consent'], ' ')],
      redirectUrl: 'https://bank.example/done',
    });
    expect(res.status).toBe(400);
    expect(res.body.validationErrors).toEqual([
      { code: 'AM-00007', title: 'Missing metadata value', paths: ['/consentRights/1/metadata/inntektsaar'] },
    ]);
    expect(await consentCounts(t)).toEqual(before);
  });

  it('shows the person each right with its own metadata, and keeps both in the receipt', async () => {
    const c = await devLogin(t, pid);
    const page = await c.get(`/consent/request?id=${id}&lang=en`);
    expect(page.status).toBe(200);
    const headings = [...page.body.matchAll(/<h3>([^<]*)<\/h3>/g)].map((m) => m[1]);
    expect(headings).toEqual([
      'Income information (inntektsaar: 2023)',
      'Income information (inntektsaar: 2024)',
    ]);
    const text = textOf(page.body);
    expect(text).toContain('Your income for 2023');
    expect(text).toContain('Your income for 2024');
    expect(page.body.match(/<dl class="right-metadata">/g)).toHaveLength(2);

    const accepted = await c.post(`/consent/request/${id}/accept`, { _csrf: csrfOf(page.body), lang: 'en' });
    expect(accepted.status).toBe(303);
    const [receipt] = await sql(t, 'SELECT html, text FROM consent_receipts WHERE consent_request_id = $1', [
      id,
    ]);
    expect(receipt.text.rights).toEqual([
      expect.objectContaining({ metadata: { inntektsaar: '2023' }, text: 'Your income for **2023**.' }),
      expect.objectContaining({ metadata: { inntektsaar: '2024' }, text: 'Your income for **2024**.' }),
    ]);
    expect(receipt.html).toContain('Income information (inntektsaar: 2024)');
  });

  it('a resource named once shows no metadata list (nothing changes for the common case)', async () => {
    const single = await http(t, 'POST', CONSENT_PATH, bank.auth, {
      id: randomUUID(),
      from,
      to: orgUrnOf(bank.org),
      validTo: new Date(Date.now() + 86_400_000).toISOString(),
      consentRights: [right(world.resource, ['consent'], '2022')],
      redirectUrl: 'https://bank.example/done',
    });
    const c = await devLogin(t, pid);
    const page = await c.get(`/consent/request?id=${single.body.id as string}&lang=en`);
    expect([...page.body.matchAll(/<h3>([^<]*)<\/h3>/g)].map((m) => m[1])).toEqual(['Income information']);
    expect(page.body).not.toContain('right-metadata');
  });

  it('is answered by the issuer lookup with both rights', async () => {
    const auth = await bearer(t, { org: bank.org, scope: 'altinn:maskinporten/consent.read' });
    const res = await http(t, 'POST', LOOKUP_PATH, auth, { id, from, to: orgUrnOf(bank.org) });
    expect(res.status).toBe(200);
    expect(res.body.consentRights.map((r: { metadata: unknown }) => r.metadata)).toEqual([
      { inntektsaar: '2023' },
      { inntektsaar: '2024' },
    ]);
  });

  describe('a token from /token and the gateway', () => {
    let token: string;
    let detail: Record<string, unknown>;

    beforeAll(async () => {
      const res = await requestToken(t, client, {
        claims: { authorization_details: [{ type: 'urn:altinn:consent', id, from }] },
      });
      expect(res.status).toBe(200);
      token = res.body.access_token as string;
      detail = ((await verifyIssued(t, token)).authorization_details as Record<string, unknown>[])[0];
    });

    it("carries both rights in authorization_details, in the consent's order", () => {
      expect(detail.consentRights).toEqual([
        right(world.resource, ['consent'], '2023'),
        right(world.resource, ['consent', 'read'], '2024'),
      ]);
    });

    it('forwards the metadata of the first right that grants the action (consent → 2023, read → 2024)', async () => {
      const forConsent = await registerApi(t, world, { upstreamUrl: upstream.url });
      const forRead = await registerApi(t, world, { upstreamUrl: upstream.url, requiredAction: 'read' });
      for (const [api, metadata] of [
        [forConsent, '{"inntektsaar":"2023"}'],
        [forRead, '{"inntektsaar":"2024"}'],
      ] as const) {
        const before = upstream.hits.length;
        const res = await proxy(t, `/proxy/${api}/income`, { auth: `Bearer ${token}` });
        expect(res.status).toBe(200);
        expect(upstream.hits.slice(before).map((h) => h.headers['x-consent-metadata'])).toEqual([metadata]);
      }
    });

    it('refuses an action no right grants with 403 GW-00006, reaching no upstream', async () => {
      const api = await registerApi(t, world, { upstreamUrl: upstream.url, requiredAction: 'write' });
      const before = upstream.hits.length;
      const res = await proxy(t, `/proxy/${api}/income`, { auth: `Bearer ${token}` });
      expectProblem(
        res,
        403,
        'GW-00006',
        'The consent does not give the action "write" on any consent resource this API honours.',
      );
      expect(upstream.hits.length).toBe(before);
    });

    it('local mode tells the rights apart: swapped, dropped or changed rights are 401 GW-00009', async () => {
      const api = await registerApi(t, world, { upstreamUrl: upstream.url });
      const rights = detail.consentRights as ReturnType<typeof right>[];
      const variants = [
        [rights[1], rights[0]],
        [rights[0]],
        [rights[0], right(world.resource, ['consent', 'read'], '2025')],
      ];
      const before = upstream.hits.length;
      for (const consentRights of variants) {
        const forged = await mintToken(t, {
          org: bank.org,
          scope: world.scope,
          authorizationDetails: [{ ...detail, consentRights }],
        });
        const res = await proxy(t, `/proxy/${api}/income`, { auth: `Bearer ${forged}` });
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('GW-00009');
      }
      expect(upstream.hits.length).toBe(before);
    });
  });
});
