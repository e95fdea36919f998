import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { orgNumber, personNumber } from '../factories/orgs.js';
import {
  consumerWithClient,
  delegateScope,
  grantScope,
  insertConsent,
  registerClient,
  requestToken,
  type ConsentState,
  type TestClient,
  type TestScope,
} from '../factories/token-fixtures.js';
import { expectOAuthError, tokenWorld, verifyIssued } from '../factories/token-world.js';

/**
 * `POST /token` with `authorization_details` (DESIGN §4.5, §10): the consent is looked up and the
 * token carries it in Altinn's shape, compared field by field with the Maskinporten sample.
 */

const samples = JSON.parse(
  readFileSync(path.join(process.cwd(), 'test/fixtures/maskinporten-token-samples.json'), 'utf8'),
) as Record<string, Record<string, unknown>>;

let t: TestApp;
let prisma: PrismaService;
let scope: TestScope;
let client: TestClient;

beforeAll(async () => {
  t = await createTestApp();
  ({ prisma, scope, client } = await tokenWorld(t));
});

afterAll(async () => {
  await t?.close();
});

const personUrn = (pid: string) => `urn:altinn:person:identifier-no:${pid}`;
const detail = (id: string, from: string) => [{ type: 'urn:altinn:consent', id, from }];

/** Same member names, same nesting, same JSON types; arrays compared element-wise by the first. */
function shapeOf(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shapeOf(v[0])] : [];
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([k]) => !k.startsWith('_'))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, shapeOf(x)]),
    );
  return v === null ? 'null' : typeof v;
}

async function accepted(o: { from?: string; validTo?: Date; toOrg?: string; handledBy?: string } = {}) {
  return insertConsent(t, {
    toOrg: o.toOrg ?? client.orgNumber,
    from: o.from ?? personUrn(personNumber()),
    validTo: o.validTo,
    handledBy: o.handledBy,
  });
}

describe('a token with a consent', () => {
  it('embeds the accepted consent in the Altinn shape', async () => {
    const consent = await accepted();
    const res = await requestToken(t, client, {
      claims: { authorization_details: detail(consent.id, consent.from) },
    });
    expect(res.status).toBe(200);
    const claims = await verifyIssued(t, res.body.access_token);
    expect(claims.authorization_details).toEqual([
      {
        type: 'urn:altinn:consent',
        id: consent.id,
        from: consent.from,
        to: { authority: 'iso6523-actorid-upis', ID: `0192:${client.orgNumber}` },
        consented: consent.consented!.toISOString(),
        validTo: consent.validTo.toISOString(),
        consentRights: consent.consentRights,
      },
    ]);
  });

  it('matches the Maskinporten sample token claim by claim: names, nesting and types', async () => {
    const consent = await accepted();
    const res = await requestToken(t, client, {
      claims: { authorization_details: detail(consent.id, consent.from) },
    });
    const sample = samples.issuedAccessToken;
    const claims = await verifyIssued(t, res.body.access_token);
    expect(Object.keys(claims)).toEqual(Object.keys(sample).filter((k) => !k.startsWith('_')));
    for (const name of Object.keys(claims))
      expect({ [name]: shapeOf(claims[name]) }).toEqual({ [name]: shapeOf(sample[name]) });
    // Values that do not depend on the environment are the same as Maskinporten's.
    for (const name of ['client_amr', 'token_type'] as const) expect(claims[name]).toBe(sample[name]);
    const sampleDetail = (sample.authorization_details as Record<string, unknown>[])[0];
    const ourDetail = (claims.authorization_details as Record<string, unknown>[])[0];
    expect(Object.keys(ourDetail)).toEqual(Object.keys(sampleDetail));
    expect(ourDetail.type).toBe(sampleDetail.type);
    expect((ourDetail.to as Record<string, unknown>).authority).toBe(
      (sampleDetail.to as Record<string, unknown>).authority,
    );
    // Timestamps are ISO 8601 instants, as Altinn's.
    for (const k of ['consented', 'validTo'])
      expect(Number.isNaN(Date.parse(ourDetail[k] as string))).toBe(false);
    const header = decodeProtectedHeader(res.body.access_token);
    expect(header.alg).toBe((sample._header as Record<string, unknown>).alg);
    expect(typeof header.kid).toBe('string');
  });

  it('matches the sample supplier claims in the supplier flow', async () => {
    const consumerOrg = orgNumber();
    await grantScope(t, scope, consumerOrg);
    const supplier = await registerClient(t, { scopes: [scope.name] });
    await delegateScope(t, scope.name, consumerOrg, supplier.orgNumber);
    const consent = await accepted({ toOrg: consumerOrg });
    const res = await requestToken(t, supplier, {
      claims: { consumer_org: consumerOrg, authorization_details: detail(consent.id, consent.from) },
    });
    expect(res.status).toBe(200);
    const claims = await verifyIssued(t, res.body.access_token);
    for (const [name, value] of Object.entries(samples.supplierFlowExtraClaims))
      expect({ [name]: shapeOf(claims[name]) }).toEqual({ [name]: shapeOf(value) });
    expect((claims.authorization_details as { to: unknown }[])[0].to).toEqual({
      authority: 'iso6523-actorid-upis',
      ID: `0192:${consumerOrg}`,
    });
  });

  it('lets a supplier get the consent of the handler it acts for (handledBy = consumer_org)', async () => {
    const handler = orgNumber();
    await grantScope(t, scope, handler);
    const supplier = await registerClient(t, { scopes: [scope.name] });
    await delegateScope(t, scope.name, handler, supplier.orgNumber);
    const consent = await accepted({ toOrg: orgNumber(), handledBy: handler });
    const res = await requestToken(t, supplier, {
      claims: { consumer_org: handler, authorization_details: detail(consent.id, consent.from) },
    });
    expect(res.status).toBe(200);
  });

  it('refuses a supplier that handles the consent but asks for it on behalf of a third organisation', async () => {
    const third = orgNumber();
    await grantScope(t, scope, third);
    const supplier = await registerClient(t, { scopes: [scope.name] });
    await delegateScope(t, scope.name, third, supplier.orgNumber);
    // The supplier handles the consent (it made the request for `to`), but `third` is not `to`.
    const consent = await accepted({ toOrg: orgNumber(), handledBy: supplier.orgNumber });
    const res = await requestToken(t, supplier, {
      claims: { consumer_org: third, authorization_details: detail(consent.id, consent.from) },
    });
    expectOAuthError(res, 400, 'invalid_grant');
    expect(res.body.error_description).toBe(
      'The consent in authorization_details is given to another consumer.',
    );
  });

  it('accepts authorization_details as an RFC 9396 form parameter', async () => {
    const consent = await accepted();
    const res = await requestToken(t, client, {
      form: { authorization_details: JSON.stringify(detail(consent.id, consent.from)) },
    });
    expect(res.status).toBe(200);
    expect(
      ((await verifyIssued(t, res.body.access_token)).authorization_details as { id: string }[])[0].id,
    ).toBe(consent.id);
  });

  it('never lets the token outlive the consent', async () => {
    const validTo = new Date(Date.now() + 45_000);
    const consent = await accepted({ validTo });
    const res = await requestToken(t, client, {
      claims: { authorization_details: detail(consent.id, consent.from) },
    });
    expect(res.status).toBe(200);
    const claims = await verifyIssued(t, res.body.access_token);
    expect(claims.exp).toBe(Math.floor(validTo.getTime() / 1000));
    expect(res.body.expires_in).toBe(claims.exp! - claims.iat!);
    expect(res.body.expires_in).toBeLessThanOrEqual(45);
  });

  it('accepts a consent handled by the client org (handledBy)', async () => {
    const consent = await accepted({ toOrg: orgNumber(), handledBy: client.orgNumber });
    const res = await requestToken(t, client, {
      claims: { authorization_details: detail(consent.id, consent.from) },
    });
    expect(res.status).toBe(200);
  });

  it('accepts a one-time consent that has not been used yet', async () => {
    const consent = await insertConsent(t, {
      toOrg: client.orgNumber,
      from: personUrn(personNumber()),
      isOneTime: true,
    });
    const res = await requestToken(t, client, {
      claims: { authorization_details: detail(consent.id, consent.from) },
    });
    expect(res.status).toBe(200);
  });

  it('audits the consent id with the issuance', async () => {
    const consent = await accepted();
    const res = await requestToken(t, client, {
      claims: { authorization_details: detail(consent.id, consent.from) },
    });
    const jti = (await verifyIssued(t, res.body.access_token)).jti;
    const rows = await prisma.auditEntry.findMany({
      where: { objectId: client.clientId, action: 'token.issued' },
    });
    expect(rows.find((r) => (r.after as { jti?: string }).jti === jti)?.after).toMatchObject({
      consentId: consent.id,
    });
  });
});

describe('a consent that cannot be used', () => {
  it.each<ConsentState>(['created', 'rejected', 'revoked', 'deleted', 'expired', 'used'])(
    'refuses a consent in state %s with invalid_grant',
    async (status) => {
      const consent = await insertConsent(t, {
        toOrg: client.orgNumber,
        from: personUrn(personNumber()),
        status,
      });
      const issued = await prisma.auditEntry.count({
        where: { objectId: client.clientId, action: 'token.issued' },
      });
      const res = await requestToken(t, client, {
        claims: { authorization_details: detail(consent.id, consent.from) },
      });
      expectOAuthError(res, 400, 'invalid_grant');
      expect(
        await prisma.auditEntry.count({ where: { objectId: client.clientId, action: 'token.issued' } }),
      ).toBe(issued);
    },
  );

  it('refuses an accepted consent whose validTo has passed', async () => {
    const consent = await insertConsent(t, {
      toOrg: client.orgNumber,
      from: personUrn(personNumber()),
      validTo: new Date(Date.now() - 1000),
    });
    expectOAuthError(
      await requestToken(t, client, { claims: { authorization_details: detail(consent.id, consent.from) } }),
      400,
      'invalid_grant',
    );
  });

  it('refuses the consent of another consumer', async () => {
    const consent = await accepted({ toOrg: orgNumber() });
    expectOAuthError(
      await requestToken(t, client, { claims: { authorization_details: detail(consent.id, consent.from) } }),
      400,
      'invalid_grant',
    );
  });

  it('refuses a from that does not match the consent', async () => {
    const consent = await accepted();
    expectOAuthError(
      await requestToken(t, client, {
        claims: { authorization_details: detail(consent.id, personUrn(personNumber())) },
      }),
      400,
      'invalid_grant',
    );
  });

  it('refuses an unknown consent id', async () => {
    expectOAuthError(
      await requestToken(t, client, {
        claims: { authorization_details: detail(randomUUID(), personUrn(personNumber())) },
      }),
      400,
      'invalid_grant',
    );
  });

  it('names why a consent cannot be used; outside production also an unknown from a foreign one', async () => {
    const revoked = await insertConsent(t, {
      toOrg: client.orgNumber,
      from: personUrn(personNumber()),
      status: 'revoked',
    });
    const foreign = await accepted({ toOrg: orgNumber() });
    const a = await requestToken(t, client, {
      claims: { authorization_details: detail(revoked.id, revoked.from) },
    });
    const b = await requestToken(t, client, {
      claims: { authorization_details: detail(foreign.id, foreign.from) },
    });
    const c = await requestToken(t, client, {
      claims: { authorization_details: detail(randomUUID(), personUrn(personNumber())) },
    });
    // Production answers b and c alike (test/e2e/token-refusals.e2e-spec.ts): naming them would
    // tell a consumer which consent ids exist.
    expect([a.body, b.body, c.body]).toEqual([
      { error: 'invalid_grant', error_description: 'The consent has been revoked.' },
      {
        error: 'invalid_grant',
        error_description: 'The consent in authorization_details is given to another consumer.',
      },
      { error: 'invalid_grant', error_description: 'The consent in authorization_details does not exist.' },
    ]);
  });

  it('records the failed consent check in the audit trail', async () => {
    const { client: c } = await consumerWithClient(t);
    const consent = await insertConsent(t, {
      toOrg: c.orgNumber,
      from: personUrn(personNumber()),
      status: 'revoked',
    });
    await requestToken(t, c, { claims: { authorization_details: detail(consent.id, consent.from) } });
    const rows = await prisma.auditEntry.findMany({
      where: { objectId: c.clientId, action: 'token.refused' },
    });
    expect(rows.map((r) => r.after)).toContainEqual(
      expect.objectContaining({ error: 'invalid_grant', reason: 'consent_revoked', consentId: consent.id }),
    );
  });
});

describe('malformed authorization_details', () => {
  const consentId = randomUUID();
  const from = personUrn(personNumber());

  it.each<[string, unknown]>([
    ['no detail', []],
    ['two details', [...detail(consentId, from), ...detail(consentId, from)]],
    ['a wrong type', [{ type: 'urn:altinn:other', id: consentId, from }]],
    ['an object instead of an array', detail(consentId, from)[0]],
    ['a missing id', [{ type: 'urn:altinn:consent', from }]],
    [
      'an invalid from',
      [{ type: 'urn:altinn:consent', id: consentId, from: 'urn:altinn:person:identifier-no:1' }],
    ],
  ])('refuses %s with invalid_authorization_details', async (_name, value) => {
    expectOAuthError(
      await requestToken(t, client, { claims: { authorization_details: value } }),
      400,
      'invalid_authorization_details',
    );
  });

  it('refuses a form parameter that is not JSON', async () => {
    expectOAuthError(
      await requestToken(t, client, { form: { authorization_details: '[{"type":' } }),
      400,
      'invalid_authorization_details',
    );
  });
});
