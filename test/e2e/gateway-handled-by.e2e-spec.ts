import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestApp } from '../helpers/app.js';
import { startGatewayApp, type GatewayApp } from '../factories/gateway-app.js';
import { mintToken } from '../helpers/tokens.js';
import { orgNumber, personNumber } from '../factories/orgs.js';
import { expectProblem } from '../factories/problems.js';
import {
  consumerWithClient,
  insertConsent,
  requestToken,
  type InsertedConsent,
} from '../factories/token-fixtures.js';
import {
  accessListWith,
  consentDetail,
  gatewayWorld,
  orgUrnOf,
  personUrnOf,
  proxy,
  registerApi,
  type GatewayWorld,
  type Upstream,
} from '../factories/gateway-fixtures.js';

/**
 * A consent handled by another organisation (`handledBy`, issue 18): a `.org` caller made the
 * request for `to`; the token endpoint issues the consent to the handler, and the gateway lets
 * the handler's token through (as Altinn's lookup answers the handler) while everyone else still
 * gets 403 GW-00007. The handler is read from the STORED consent, never from the token.
 */

let gateway: GatewayApp;
let t: TestApp;
let upstream: Upstream;
let world: GatewayWorld;
let api: string;

const NOT_TO_CALLER = 'The consent was not given to the organisation the token was issued to.';

beforeAll(async () => {
  gateway = await startGatewayApp();
  ({ t, upstream, world, api } = gateway);
});

afterAll(async () => {
  await gateway?.close();
});

/** An accepted consent to a fresh organisation, handled by `handler` (or by nobody). */
function handledConsent(handler: string | null): Promise<InsertedConsent> {
  return insertConsent(t, {
    toOrg: orgNumber(),
    from: personUrnOf(personNumber()),
    handledBy: handler,
    resource: world.resource,
    metadata: { inntektsaar: '2024' },
  });
}

async function callAs(
  consent: InsertedConsent,
  consumer: string,
  o: { supplier?: string; detail?: Record<string, unknown> } = {},
) {
  const token = await mintToken(t, {
    org: consumer,
    supplier: o.supplier,
    scope: world.scope,
    authorizationDetails: [consentDetail(consent, o.detail)],
  });
  return proxy(t, `/proxy/${api}/income`, { auth: `Bearer ${token}` });
}

describe('a consent handled by another organisation (handledBy)', () => {
  it('lets the handler through, with X-Consent-To naming the organisation the consent is to', async () => {
    const handler = orgNumber();
    const consent = await handledConsent(handler);
    const before = upstream.hits.length;
    const res = await callAs(consent, handler);
    expect(res.status).toBe(200);
    const [hit] = upstream.hits.slice(before);
    expect(hit.headers).toMatchObject({
      'x-consent-id': consent.id,
      'x-consent-to': orgUrnOf(consent.toOrg),
    });
  });

  it('still lets `to` itself through', async () => {
    const consent = await handledConsent(orgNumber());
    expect((await callAs(consent, consent.toOrg)).status).toBe(200);
  });

  it('works end to end: the handler’s client gets the token at /token and calls the API with it', async () => {
    const { scope, client } = await consumerWithClient(t);
    const scopedApi = await registerApi(t, world, {
      upstreamUrl: `${upstream.url}/base`,
      requiredScopes: [scope.name],
    });
    const consent = await handledConsent(client.orgNumber);
    const issued = await requestToken(t, client, {
      claims: { authorization_details: [{ type: 'urn:altinn:consent', id: consent.id, from: consent.from }] },
    });
    expect(issued.status).toBe(200);
    const res = await proxy(t, `/proxy/${scopedApi}/income`, {
      auth: `Bearer ${issued.body.access_token as string}`,
    });
    expect(res.status).toBe(200);
  });
});

describe('access list with a handler (403 GW-00008)', () => {
  it('checks the organisation that calls (the handler), not only `to`', async () => {
    const listed = await gatewayWorld(t, { accessListMode: 'Enabled' });
    const listedApi = await registerApi(t, listed, { upstreamUrl: `${upstream.url}/base` });
    const to = orgNumber();
    const handler = orgNumber();
    const consent = await insertConsent(t, {
      toOrg: to,
      from: personUrnOf(personNumber()),
      handledBy: handler,
      resource: listed.resource,
      metadata: { inntektsaar: '2024' },
    });
    const call = async () =>
      proxy(t, `/proxy/${listedApi}/income`, {
        auth: `Bearer ${await mintToken(t, { org: handler, scope: listed.scope, authorizationDetails: [consentDetail(consent)] })}`,
      });
    await accessListWith(t, listed, [to]);
    expect((await call()).status).toBe(403);
    expect((await call()).body).toMatchObject({ code: 'GW-00008' });
    await accessListWith(t, listed, [handler]);
    expect((await call()).status).toBe(200);
  });
});

describe('consent recipient with a handler (403 GW-00007)', () => {
  it('refuses a third organisation', async () => {
    const consent = await handledConsent(orgNumber());
    expectProblem(await callAs(consent, orgNumber()), 403, 'GW-00007', NOT_TO_CALLER);
  });

  it('refuses a token that claims a handler the stored consent does not have (tampered detail)', async () => {
    const claimed = orgNumber();
    const consent = await handledConsent(null);
    const res = await callAs(consent, claimed, { detail: { handledBy: orgUrnOf(claimed) } });
    expectProblem(res, 403, 'GW-00007', NOT_TO_CALLER);
  });

  it('refuses the handler of ANOTHER consent', async () => {
    const handler = orgNumber();
    await handledConsent(handler);
    const notTheirs = await handledConsent(orgNumber());
    expectProblem(await callAs(notTheirs, handler), 403, 'GW-00007', NOT_TO_CALLER);
  });

  it('refuses the handler when the token’s `to` was edited to point elsewhere', async () => {
    const handler = orgNumber();
    const consent = await handledConsent(handler);
    const edited = { to: { authority: 'iso6523-actorid-upis', ID: `0192:${orgNumber()}` } };
    expectProblem(await callAs(consent, handler, { detail: edited }), 403, 'GW-00007', NOT_TO_CALLER);
  });

  describe('suppliers', () => {
    it('lets a supplier acting for the handler through', async () => {
      const handler = orgNumber();
      const consent = await handledConsent(handler);
      expect((await callAs(consent, handler, { supplier: orgNumber() })).status).toBe(200);
    });

    it('refuses a supplier that is the handler but acts for a third organisation', async () => {
      const supplier = orgNumber();
      const consent = await handledConsent(supplier);
      const res = await callAs(consent, orgNumber(), { supplier });
      expectProblem(res, 403, 'GW-00007', NOT_TO_CALLER);
    });

    it('refuses a supplier acting for a third organisation', async () => {
      const consent = await handledConsent(orgNumber());
      const res = await callAs(consent, orgNumber(), { supplier: orgNumber() });
      expectProblem(res, 403, 'GW-00007', NOT_TO_CALLER);
    });
  });
});
