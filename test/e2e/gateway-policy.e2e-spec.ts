import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DailyCallCounter } from '../../src/gateway/daily-call-counter.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { consumer, createConsent, http, problemBody, sql } from '../factories/consent-fixtures.js';
import { ConsentsService } from '../../src/consents/consents.service.js';
import { registerOwner } from '../factories/registry.js';
import { bearer } from '../helpers/tokens.js';
import { randomUUID } from 'node:crypto';
import { personNumber } from '../factories/orgs.js';
import {
  acceptedConsent,
  consentBearer,
  gatewayWorld,
  proxy,
  registerApi,
  startUpstream,
  type GatewayWorld,
  type Upstream,
} from '../factories/gateway-fixtures.js';

/**
 * The owner's resource policy at the gateway (docs/consent-lifecycle.md): `callsPerDay` (429
 * GW-00017 with Retry-After to the next UTC midnight; refused calls do not count) and the
 * consent's terms within the current `maxValidity` and `metadataValues` (403 GW-00018), with
 * consents created before a change keeping their terms unless the owner applies it to them.
 * A policy change takes effect on the next call.
 */

let t: TestApp;
let upstream: Upstream;

const YEAR = 365 * 24 * 3600 * 1000;

beforeAll(async () => {
  t = await createTestApp();
  upstream = await startUpstream();
});

afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

/** A resource declaring `inntektsaar`, with an API in front of it. */
async function world(): Promise<{ w: GatewayWorld; api: string }> {
  const w = await gatewayWorld(t, { consentMetadata: { inntektsaar: { optional: false } } });
  return { w, api: await registerApi(t, w, { upstreamUrl: upstream.url }) };
}

async function setPolicy(w: GatewayWorld, policy: Record<string, unknown>): Promise<void> {
  const res = await http(
    t,
    'PUT',
    `/resourceregistry/api/v1/resource/${w.resource}/policy`,
    w.owner.auth,
    policy,
  );
  expect(res.status).toBe(200);
}

const hitsFor = (consentId: string) =>
  upstream.hits.filter((h) => h.headers['x-consent-id'] === consentId).length;

function secondsToUtcMidnight(): number {
  const now = Date.now();
  return Math.ceil((Math.floor(now / 86_400_000 + 1) * 86_400_000 - now) / 1000);
}

describe('GW-00017 calls per consent per day', () => {
  it('forwards callsPerDay calls of a consent in a UTC day, then answers 429 with Retry-After to midnight UTC', async () => {
    const { w, api } = await world();
    await setPolicy(w, { callsPerDay: 2 });
    const consent = await acceptedConsent(t, w);
    const auth = await consentBearer(t, w, consent);
    expect((await proxy(t, `/proxy/${api}/a`, { auth })).status).toBe(200);
    expect((await proxy(t, `/proxy/${api}/b`, { auth })).status).toBe(200);

    const refused = await proxy(t, `/proxy/${api}/c`, { auth });
    const expected = secondsToUtcMidnight();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toEqual(
      problemBody(
        429,
        'GW-00017',
        'Too Many Requests',
        'The consent has used its 2 calls for today (UTC); the count starts again at midnight UTC.',
      ),
    );
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeLessThanOrEqual(expected + 1);
    expect(retryAfter).toBeGreaterThanOrEqual(Math.max(1, expected - 5));
    expect(hitsFor(consent.id)).toBe(2);

    // Another consent on the same resource has its own count.
    const other = await acceptedConsent(t, w);
    expect((await proxy(t, `/proxy/${api}/a`, { auth: await consentBearer(t, w, other) })).status).toBe(200);
  });

  it('does not count calls another rule refused, nor its own refusals', async () => {
    const w = await gatewayWorld(t);
    const api = await registerApi(t, w, {
      upstreamUrl: upstream.url,
      subject: { in: 'header', name: 'X-Subject' },
    });
    await setPolicy(w, { callsPerDay: 2 });
    const consent = await acceptedConsent(t, w);
    const auth = await consentBearer(t, w, consent);
    const subject = { 'x-subject': consent.from };
    for (let i = 0; i < 3; i++) {
      const res = await proxy(t, `/proxy/${api}/x`, { auth });
      expect(res.body.code).toBe('GW-00010');
    }
    expect((await proxy(t, `/proxy/${api}/x`, { auth, headers: subject })).status).toBe(200);
    expect((await proxy(t, `/proxy/${api}/x`, { auth, headers: subject })).status).toBe(200);
    for (let i = 0; i < 2; i++)
      expect((await proxy(t, `/proxy/${api}/x`, { auth, headers: subject })).body.code).toBe('GW-00017');
    expect(hitsFor(consent.id)).toBe(2);
  });

  it('counts calls the upstream answered with an error (the access was made)', async () => {
    const { w, api } = await world();
    await setPolicy(w, { callsPerDay: 1 });
    const consent = await acceptedConsent(t, w);
    const auth = await consentBearer(t, w, consent);
    expect((await proxy(t, `/proxy/${api}/status/500`, { auth })).status).toBe(500);
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).body.code).toBe('GW-00017');
  });

  it('applies a raised or removed limit on the next call', async () => {
    const { w, api } = await world();
    await setPolicy(w, { callsPerDay: 1 });
    const consent = await acceptedConsent(t, w);
    const auth = await consentBearer(t, w, consent);
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).status).toBe(200);
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).status).toBe(429);
    await setPolicy(w, { callsPerDay: 2 });
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).status).toBe(200);
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).status).toBe(429);
    const del = await http(
      t,
      'DELETE',
      `/resourceregistry/api/v1/resource/${w.resource}/policy`,
      w.owner.auth,
    );
    expect(del.status).toBe(204);
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).status).toBe(200);
  });

  it("writes the day's count to the shared table in batches", async () => {
    const { w, api } = await world();
    await setPolicy(w, { callsPerDay: 10 });
    const consent = await acceptedConsent(t, w);
    const auth = await consentBearer(t, w, consent);
    for (let i = 0; i < 3; i++) expect((await proxy(t, `/proxy/${api}/x`, { auth })).status).toBe(200);
    await t.app.get(DailyCallCounter).sync();
    const rows = await sql(
      t,
      "SELECT calls::int AS calls, day = (now() AT TIME ZONE 'UTC')::date AS today FROM gateway_daily_calls WHERE consent_id = $1",
      [consent.id],
    );
    expect(rows).toEqual([{ calls: 3, today: true }]);
  });
});

describe('GW-00018 consent terms within the current policy', () => {
  it('forwards a consent whose terms obey the policy', async () => {
    const { w, api } = await world();
    await setPolicy(w, { maxValidity: 'P3Y', metadataValues: { inntektsaar: { enum: ['2024', '2025'] } } });
    const consent = await acceptedConsent(t, w, { validTo: new Date(Date.now() + 2 * YEAR) });
    expect((await proxy(t, `/proxy/${api}/x`, { auth: await consentBearer(t, w, consent) })).status).toBe(
      200,
    );
  });

  it('refuses a consent created under the policy whose terms break it (e.g. from an external issuer or an older release)', async () => {
    const { w, api } = await world();
    await setPolicy(w, { maxValidity: 'P1Y' });
    const long = await acceptedConsent(t, w, { validTo: new Date(Date.now() + 2 * YEAR) });
    const res = await proxy(t, `/proxy/${api}/x`, { auth: await consentBearer(t, w, long) });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(
      problemBody(
        403,
        'GW-00018',
        'Forbidden',
        `Resource '${w.resource}' now allows consents of at most P1Y from their acceptance; this consent is valid until ${long.validTo.toISOString()}. Ask the person for a new consent.`,
      ),
    );
    expect(hitsFor(long.id)).toBe(0);
  });

  it('lets consents created before a tightening keep their terms, and stops them on the next call once the owner applies it to existing consents', async () => {
    const { w, api } = await world();
    const consent = await acceptedConsent(t, w, { metadata: { inntektsaar: '2023' } });
    const auth = await consentBearer(t, w, consent);
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).status).toBe(200);

    await setPolicy(w, { metadataValues: { inntektsaar: { enum: ['2024'] } } });
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).status).toBe(200);

    await setPolicy(w, {
      metadataValues: { inntektsaar: { enum: ['2024'] } },
      applyToExistingConsents: true,
    });
    const refused = await proxy(t, `/proxy/${api}/x`, { auth });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('GW-00018');
    expect(refused.body.detail).toBe(
      `Resource '${w.resource}' no longer allows this consent's value of metadata 'inntektsaar'. Ask the person for a new consent.`,
    );

    // A consent whose value is allowed is not affected.
    const fine = await acceptedConsent(t, w, { metadata: { inntektsaar: '2024' } });
    expect((await proxy(t, `/proxy/${api}/x`, { auth: await consentBearer(t, w, fine) })).status).toBe(200);

    // Loosening the rule again lets the first consent through on the next call.
    await setPolicy(w, {
      metadataValues: { inntektsaar: { enum: ['2023', '2024'] } },
      applyToExistingConsents: true,
    });
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).status).toBe(200);
  });

  it('holds existing consents to a shortened maxValidity when applied to them, counted from their acceptance', async () => {
    const { w, api } = await world();
    const consented = new Date(Date.now() - 200 * 24 * 3600 * 1000);
    const within = await acceptedConsent(t, w, {
      validTo: new Date(consented.getTime() + YEAR - 24 * 3600 * 1000),
    });
    const beyond = await acceptedConsent(t, w, {
      validTo: new Date(consented.getTime() + YEAR + 24 * 3600 * 1000),
    });
    for (const c of [within, beyond])
      await sql(t, 'UPDATE consent_requests SET consented = $2 WHERE id = $1', [c.id, consented]);
    within.consented = consented;
    beyond.consented = consented;
    await setPolicy(w, { maxValidity: 'P1Y', applyToExistingConsents: true });
    expect((await proxy(t, `/proxy/${api}/x`, { auth: await consentBearer(t, w, within) })).status).toBe(200);
    const res = await proxy(t, `/proxy/${api}/x`, { auth: await consentBearer(t, w, beyond) });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('GW-00018');
  });

  it('checks the other rules first: an inactive consent is 401 GW-00009, not 403', async () => {
    const { w, api } = await world();
    await setPolicy(w, { maxValidity: 'P1Y', callsPerDay: 1 });
    const revoked = await acceptedConsent(t, w, {
      status: 'revoked',
      validTo: new Date(Date.now() + 2 * YEAR),
    });
    const res = await proxy(t, `/proxy/${api}/x`, { auth: await consentBearer(t, w, revoked) });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('GW-00009');
  });
});

describe('consents held by an external Altinn (consentSource "token")', () => {
  /** A consent this service never stored, as an external Altinn would sign it into a token. */
  const external = (w: GatewayWorld, validTo: Date, inntektsaar = '2024', consented = new Date()) => ({
    id: randomUUID(),
    from: `urn:altinn:person:identifier-no:${personNumber()}`,
    toOrg: w.consumer,
    consented,
    validTo,
    consentRights: [
      {
        action: ['consent'],
        resource: [{ type: 'urn:altinn:resource', value: w.resource }],
        metadata: { inntektsaar },
      },
    ],
  });

  it('holds those accepted since the policy changed to it, from their acceptance: 403 GW-00018 beyond it, forwarded within it', async () => {
    const w = await gatewayWorld(t, { consentMetadata: { inntektsaar: { optional: false } } });
    const api = await registerApi(t, w, { upstreamUrl: upstream.url, consentSource: 'token' });
    const acceptedBefore = new Date(Date.now() - 60_000);
    await setPolicy(w, { maxValidity: 'P1Y', metadataValues: { inntektsaar: { enum: ['2024'] } } });
    // Accepted before the policy was set: keeps its terms, as a consent created here would.
    const older = external(w, new Date(Date.now() + 2 * YEAR), '2024', acceptedBefore);
    expect((await proxy(t, `/proxy/${api}/x`, { auth: await consentBearer(t, w, older) })).status).toBe(200);
    const within = external(w, new Date(Date.now() + 300 * 24 * 3600 * 1000));
    expect((await proxy(t, `/proxy/${api}/x`, { auth: await consentBearer(t, w, within) })).status).toBe(200);
    const tooLong = external(w, new Date(Date.now() + 2 * YEAR));
    const refused = await proxy(t, `/proxy/${api}/x`, { auth: await consentBearer(t, w, tooLong) });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('GW-00018');
    const wrongYear = external(w, new Date(Date.now() + 300 * 24 * 3600 * 1000), '2023');
    expect(
      (await proxy(t, `/proxy/${api}/x`, { auth: await consentBearer(t, w, wrongYear) })).body.code,
    ).toBe('GW-00018');
  });

  it('counts their calls per consent id like any other', async () => {
    const w = await gatewayWorld(t);
    const api = await registerApi(t, w, { upstreamUrl: upstream.url, consentSource: 'token' });
    await setPolicy(w, { callsPerDay: 1 });
    const auth = await consentBearer(t, w, external(w, new Date(Date.now() + YEAR)));
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).status).toBe(200);
    expect((await proxy(t, `/proxy/${api}/x`, { auth })).body.code).toBe('GW-00017');
  });
});

describe("the owner's preview of a policy", () => {
  const previewPath = (resource: string) => `/resourceregistry/api/v1/resource/${resource}/policy/preview`;

  it('counts the accepted consents a tightened policy would stop at the gateway, with examples, and stores nothing', async () => {
    const { w, api } = await world();
    const old = await acceptedConsent(t, w, { metadata: { inntektsaar: '2023' } });
    const fine = await acceptedConsent(t, w, { metadata: { inntektsaar: '2024' } });
    await acceptedConsent(t, w, { metadata: { inntektsaar: '2022' }, status: 'revoked' });
    const body = { metadataValues: { inntektsaar: { enum: ['2024'] } }, applyToExistingConsents: true };
    const res = await http(t, 'POST', previewPath(w.resource), w.owner.auth, body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      resource: w.resource,
      checked: 2,
      breaking: 1,
      truncated: false,
      examples: [
        {
          id: old.id,
          toOrg: w.consumer,
          validTo: old.validTo.toISOString(),
          problem: `Resource '${w.resource}' no longer allows this consent's value of metadata 'inntektsaar'. Ask the person for a new consent.`,
        },
      ],
    });
    // Nothing was stored: no policy, and both consents still pass.
    expect(
      (await http(t, 'GET', `/resourceregistry/api/v1/resource/${w.resource}/policy`, w.owner.auth)).status,
    ).toBe(404);
    for (const c of [old, fine])
      expect((await proxy(t, `/proxy/${api}/x`, { auth: await consentBearer(t, w, c) })).status).toBe(200);
  });

  it('holds only the rights the person accepted to the policy (partial acceptance)', async () => {
    const { w } = await world();
    const bank = await consumer(t);
    const pid = personNumber();
    const right = (inntektsaar: string) => ({
      action: ['consent'],
      resource: [{ type: 'urn:altinn:resource', value: w.resource }],
      metadata: { inntektsaar },
    });
    const created = await createConsent(t, bank.auth, {
      id: randomUUID(),
      from: `urn:altinn:person:identifier-no:${pid}`,
      to: `urn:altinn:organization:identifier-no:${bank.org}`,
      validTo: new Date(Date.now() + YEAR / 2).toISOString(),
      consentRights: [right('2023'), right('2024')],
      allowPartialAcceptance: true,
      requestMessage: { nb: 'Samtykke' },
      redirectUrl: 'https://bank.example/done',
    });
    // The person accepts 2024 only: the declined 2023 grants nothing, so it breaks nothing.
    await t.app
      .get(ConsentsService)
      .accept(created.id as string, { personId: pid }, { language: 'nb', html: '<p>ok</p>', text: {} }, [1]);
    const res = await http(t, 'POST', previewPath(w.resource), w.owner.auth, {
      metadataValues: { inntektsaar: { enum: ['2024'] } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ checked: 1, breaking: 0 });
  });

  it('refuses a bad policy as PUT does (400 naming the field), another owner (403) and an unknown resource (404)', async () => {
    const { w } = await world();
    const bad = await http(t, 'POST', previewPath(w.resource), w.owner.auth, { maxValidity: '3 years' });
    expect(bad.status).toBe(400);
    expect(bad.body.validationErrors[0].paths).toEqual(['$.maxValidity']);
    const other = await registerOwner(t);
    const forbidden = await http(t, 'POST', previewPath(w.resource), other.auth, { maxValidity: 'P1Y' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('RR-00003');
    const readOnly = await bearer(t, {
      org: w.owner.orgNumber,
      scope: 'altinn:resourceregistry/resource.read',
    });
    const noScope = await http(t, 'POST', previewPath(w.resource), readOnly, { maxValidity: 'P1Y' });
    expect(noScope.status).toBe(403);
    const missing = await http(t, 'POST', previewPath('no-such-resource'), w.owner.auth, {
      maxValidity: 'P1Y',
    });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('RR-00001');
  });
});
