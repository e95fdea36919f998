import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { personNumber } from '../factories/orgs.js';
import { csrfOf, devLogin, FormClient, type PageResult } from '../factories/portal-fixtures.js';
import {
  consentBody,
  consentWorld,
  createConsent,
  http,
  orgUrnOf,
  personUrnOf,
  sql,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';

/**
 * The person's own export (beyond Altinn; docs/consent-lifecycle.md#the-persons-export): a JSON
 * file of every consent they are the data subject of, with events (revocation reasons too),
 * receipts and usage per day. Only their own, only with a portal session.
 */

let t: TestApp;
let w: ConsentWorld;
const alice = personNumber();
const bob = personNumber();
let aliceClient: FormClient;
const ids: { accepted: string; pending: string; bobs: string } = { accepted: '', pending: '', bobs: '' };
const REASON = 'The account was closed after a fraud report';

beforeAll(async () => {
  t = await createTestApp();
  w = await consentWorld(t);
  const make = async (pid: string) =>
    (
      await createConsent(
        t,
        w.consumer.auth,
        consentBody({ to: w.consumer.org, resource: w.resource, from: personUrnOf(pid) }),
      )
    ).id as string;
  ids.accepted = await make(alice);
  ids.pending = await make(alice);
  ids.bobs = await make(bob);

  // Alice accepts in the portal (a real receipt), then the owner revokes with a reason.
  aliceClient = await devLogin(t, alice);
  const page = await aliceClient.get(`/consent/request?id=${ids.accepted}`);
  expect(page.status).toBe(200);
  const accepted = await aliceClient.post(`/consent/request/${ids.accepted}/accept`, {
    _csrf: csrfOf(page.body),
  });
  expect(accepted.status).toBe(303);
  const revoked = await http(t, 'POST', `/admin/v1/consents/${ids.accepted}/revoke`, w.owner.auth, {
    reason: REASON,
  });
  expect(revoked.status).toBe(200);

  // Usage as the gateway's recorder stores it: per-minute buckets (two on one day, one the next).
  await sql(
    t,
    `INSERT INTO gateway_usage (api_name, bucket, consumer_org, consent_id, outcome, count) VALUES
       ('inntekt-api', '2026-12-01T10:00:00Z', $1, $2, 'ok', 3),
       ('inntekt-api', '2026-12-01T10:01:00Z', $1, $2, 'ok', 2),
       ('inntekt-api', '2026-12-02T08:00:00Z', $1, $2, 'GW-00009', 1),
       ('inntekt-api', '2026-12-02T08:00:00Z', $1, $3, 'ok', 7)`,
    [w.consumer.org, ids.accepted, ids.bobs],
  );
});

afterAll(async () => {
  await t?.close();
});

function json(res: PageResult) {
  return JSON.parse(res.body) as {
    format: string;
    formatVersion: number;
    subject: string;
    generatedAt: string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked member by member below
    consents: any[];
  };
}

describe('GET /consent/export', () => {
  it('downloads the logged-in person’s consents as a JSON file that is never cached', async () => {
    const res = await aliceClient.get('/consent/export');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="consents-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = json(res);
    expect(body).toMatchObject({
      format: 'consentgw-person-export',
      formatVersion: 1,
      subject: personUrnOf(alice),
    });
    expect(body.consents.map((c) => c.id).sort()).toEqual([ids.accepted, ids.pending].sort());
  });

  it('holds the history with the revocation reason, the receipt and the usage per day', async () => {
    const body = json(await aliceClient.get('/consent/export'));
    const c = body.consents.find((x) => x.id === ids.accepted);
    expect(c).toMatchObject({
      from: personUrnOf(alice),
      to: orgUrnOf(w.consumer.org),
      status: 'revoked',
      resources: [{ identifier: w.resource, versionId: expect.any(String) }],
      template: { id: 'default', version: expect.any(Number) },
    });
    expect(c.events.map((e: { type: string }) => e.type)).toEqual(['created', 'accepted', 'revoked']);
    expect(c.events[1].performedBy).toBe(personUrnOf(alice));
    expect(c.events[2]).toMatchObject({ performedBy: orgUrnOf(w.owner.orgNumber), reason: REASON });
    expect(c.receipt).toMatchObject({
      language: 'nb',
      acceptedBy: personUrnOf(alice),
      html: expect.stringContaining('2024'),
    });
    expect(c.usage).toEqual([
      { day: '2026-12-01', api: 'inntekt-api', outcome: 'ok', calls: 5 },
      { day: '2026-12-02', api: 'inntekt-api', outcome: 'GW-00009', calls: 1 },
    ]);
    const pending = body.consents.find((x) => x.id === ids.pending);
    expect(pending).toMatchObject({ status: 'created', receipt: null, usage: [] });
  });

  it("never holds another person's consents", async () => {
    const bobClient = await devLogin(t, bob);
    const body = json(await bobClient.get('/consent/export'));
    expect(body.subject).toBe(personUrnOf(bob));
    expect(body.consents.map((c) => c.id)).toEqual([ids.bobs]);
    expect(body.consents[0].usage).toEqual([
      { day: '2026-12-02', api: 'inntekt-api', outcome: 'ok', calls: 7 },
    ]);
    const aliceBody = json(await aliceClient.get('/consent/export'));
    expect(aliceBody.consents.map((c) => c.id)).not.toContain(ids.bobs);
  });

  it('sends someone without a portal session to the login, with nothing of anyone’s data', async () => {
    const anonymous = new FormClient(t.url);
    const res = await anonymous.get('/consent/export');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/login?returnTo=%2Fconsent%2Fexport');
    expect(res.body).not.toContain(ids.accepted);
  });

  it('does not accept a bearer token in place of the person’s session', async () => {
    const res = await new FormClient(t.url).get('/consent/export', { authorization: w.consumer.auth });
    expect(res.status).toBe(303);
    expect(res.body).not.toContain(ids.accepted);
  });

  it('gives a person with no consents an empty list', async () => {
    const someone = await devLogin(t, personNumber());
    const body = json(await someone.get('/consent/export'));
    expect(body.consents).toEqual([]);
  });
});
