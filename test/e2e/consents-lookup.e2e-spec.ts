import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Scopes } from '../../src/common/auth/scopes.js';
import { ConsentsService } from '../../src/consents/consents.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectRefused } from '../helpers/refusals.js';
import { bearer } from '../helpers/tokens.js';
import { orgNumber, personNumber } from '../factories/orgs.js';
import {
  LOOKUP_PATH,
  consentBody,
  consentCounts,
  consentWorld,
  consumer,
  createConsent,
  http,
  orgUrnOf,
  personUrnOf,
  problemBody,
  expiredInDb,
  sql,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';

/** POST /accessmanagement/api/v1/maskinporten/consent/lookup (DESIGN §4.6, §8). */

const VALIDATION = 'One or more validation errors occurred.';
const receipt = { language: 'nb' as const, html: '<p>ja</p>', text: {} };
let t: TestApp;
let w: ConsentWorld;
let consents: ConsentsService;
let issuer: string;

beforeAll(async () => {
  t = await createTestApp();
  w = await consentWorld(t);
  consents = t.app.get(ConsentsService);
  issuer = await bearer(t, { org: '991825827', scope: [Scopes.consentLookup] });
});

afterAll(async () => {
  await t?.close();
});

async function consent(
  o: { state?: 'created' | 'accepted' | 'revoked' | 'rejected' | 'used'; auth?: string; to?: string } = {},
) {
  const body = consentBody({ to: o.to ?? w.consumer.org, resource: w.oneTime });
  const created = await createConsent(t, o.auth ?? w.consumer.auth, body);
  const id = created.id as string;
  const pid = personNumber();
  const state = o.state ?? 'accepted';
  if (state === 'rejected') await consents.reject(id, { personId: pid });
  if (state === 'accepted' || state === 'revoked' || state === 'used')
    await consents.accept(id, { personId: pid }, receipt);
  if (state === 'revoked') await consents.revoke(id, { personId: pid });
  if (state === 'used') await consents.markUsed(id, orgUrnOf(w.consumer.org));
  return { id, from: body.from as string, to: orgUrnOf(o.to ?? w.consumer.org) };
}

async function lookup(payload: unknown, auth = issuer) {
  const before = await consentCounts(t);
  const res = await http(t, 'POST', LOOKUP_PATH, auth, payload);
  expect(await consentCounts(t)).toEqual(before); // a lookup never writes
  return res;
}

describe('consent lookup for external issuers', () => {
  it('answers an accepted consent as {id, from, to, handledBy, consented, validTo, consentRights}', async () => {
    const c = await consent();
    const [row] = await sql(t, 'SELECT consented, valid_to FROM consent_requests WHERE id = $1', [c.id]);
    const res = await lookup(c);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: c.id,
      from: c.from,
      to: c.to,
      handledBy: null,
      consented: (row.consented as Date).toISOString(),
      validTo: (row.valid_to as Date).toISOString(),
      consentRights: [
        {
          action: ['consent'],
          resource: [{ type: 'urn:altinn:resource', value: w.oneTime }],
          metadata: { inntektsaar: '2024' },
        },
      ],
    });
  });

  it('answers for the supplier named in handledBy', async () => {
    const supplier = orgNumber();
    const client = await consumer(t, orgNumber(), [], supplier);
    const c = await consent({ auth: client.auth, to: client.org });
    const res = await lookup({ ...c, to: orgUrnOf(supplier) });
    expect(res.status).toBe(200);
    expect(res.body.handledBy).toBe(orgUrnOf(supplier));
    expect(res.body.to).toBe(orgUrnOf(client.org));
  });

  it('AM-00001: an unknown id, or a consent for another consumer', async () => {
    const id = randomUUID();
    const res = await lookup({ id, from: personUrnOf(personNumber()), to: orgUrnOf(w.consumer.org) });
    expect(res.body).toEqual(
      problemBody(404, 'AM-00001', 'Consent not found', `No consent request with id '${id}' exists.`),
    );
    const c = await consent();
    const other = await lookup({ ...c, to: orgUrnOf(orgNumber()) });
    expect(other.body).toEqual(
      problemBody(404, 'AM-00001', 'Consent not found', `No consent request with id '${c.id}' exists.`),
    );
  });

  it('AM-00012: `from` is not who consented', async () => {
    const c = await consent();
    const res = await lookup({ ...c, from: personUrnOf(personNumber()) });
    expect(res.body).toEqual(
      problemBody(
        400,
        'AM-00012',
        'The consented party does not match the party requested',
        "'from' is not the party that gave this consent.",
      ),
    );
  });

  it('AM-00013: the consent has expired', async () => {
    const c = await consent();
    await sql(t, "UPDATE consent_requests SET valid_to = '2025-01-01T00:00:00Z' WHERE id = $1", [c.id]);
    await expiredInDb(t, c.id); // settle the background sweeper first
    const res = await lookup(c);
    expect(res.body).toEqual(
      problemBody(400, 'AM-00013', 'Consent is expired', 'The consent expired at 2025-01-01T00:00:00.000Z.'),
    );
  });

  it('AM-00011: the consent was revoked', async () => {
    const res = await lookup(await consent({ state: 'revoked' }));
    expect(res.body).toEqual(
      problemBody(400, 'AM-00011', 'Consent is revoked', 'The consent has been revoked.'),
    );
  });

  it.each([['created'], ['rejected'], ['used']] as const)(
    'AM-00014: a %s consent is not accepted',
    async (state) => {
      const res = await lookup(await consent({ state }));
      expect(res.body).toEqual(
        problemBody(400, 'AM-00014', 'Consent is not accepted', `The consent is ${state}, not accepted.`),
      );
    },
  );

  it('reports several problems in one 400', async () => {
    const c = await consent({ state: 'revoked' });
    const res = await lookup({ ...c, from: personUrnOf(personNumber()) });
    expect(res.body).toEqual(
      problemBody(
        400,
        'STD-00000',
        VALIDATION,
        "/from: 'from' is not the party that gave this consent.; /id: The consent has been revoked.",
        [
          {
            code: 'AM-00012',
            title: 'The consented party does not match the party requested',
            paths: ['/from'],
          },
          { code: 'AM-00011', title: 'Consent is revoked', paths: ['/id'] },
        ],
      ),
    );
  });

  it('validates the body: required id, party URNs, `to` an organisation, no unknown fields', async () => {
    const res = await lookup({ from: 'x', to: personUrnOf('02013299997'), extra: true });
    expect(res.status).toBe(400);
    expect(res.body.validationErrors).toEqual([
      { code: 'STD.VLD-00002', title: 'Unknown field /extra', paths: ['/extra'] },
      { code: 'STD.VLD-00000', title: 'The field is required.', paths: ['/id'] },
      { code: 'AM.VLD-00001', title: 'Invalid party URN.', paths: ['/from'] },
      { code: 'AM.VLD-00001', title: 'Invalid party URN.', paths: ['/to'] },
    ]);
  });

  it('needs altinn:maskinporten/consent.read', async () => {
    const c = await consent();
    await expectRefused(await lookup(c, w.consumer.auth), { status: 403, code: 'AUTH-00403' });
    await expectRefused(await lookup(c, ''), { status: 401, code: 'AUTH-00401' });
  });
});
