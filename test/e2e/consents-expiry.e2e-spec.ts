import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsentExpirySweeper } from '../../src/consents/consent-expiry.sweeper.js';
import { ConsentsService } from '../../src/consents/consents.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { personNumber } from '../factories/orgs.js';
import {
  CONSENT_PATH,
  LOOKUP_PATH,
  consentBody,
  consentWorld,
  createConsent,
  http,
  orgUrnOf,
  sql,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';
import { bearer } from '../helpers/tokens.js';
import { Scopes } from '../../src/common/auth/scopes.js';

/**
 * Expiry (DESIGN §4.7): a real `expired` status and event written by a sweeper that is safe with
 * several replicas, and reads that never show a consent past validTo as accepted meanwhile.
 * The app below sweeps only when the test says so (interval one hour).
 */

const onPostgres = !!process.env.TEST_DATABASE_URL;
const receipt = { language: 'en' as const, html: '<p>ok</p>', text: 'ok' };
let t: TestApp;
let w: ConsentWorld;
let consents: ConsentsService;
let sweeper: ConsentExpirySweeper;

beforeAll(async () => {
  t = await createTestApp({ env: { EXPIRY_SWEEP_INTERVAL_MS: '3600000' } });
  w = await consentWorld(t);
  consents = t.app.get(ConsentsService);
  sweeper = t.app.get(ConsentExpirySweeper);
  // This file runs the sweeps itself: the background one (it also wakes on every consent change,
  // not only at its interval) is stopped, as at shutdown. `sweepOnce` and `sweepAll` still work.
  await sweeper.onApplicationShutdown();
});

afterAll(async () => {
  await t?.close();
});

async function accepted(): Promise<{ id: string; from: string }> {
  const body = consentBody({ to: w.consumer.org, resource: w.resource });
  const created = await createConsent(t, w.consumer.auth, body);
  await consents.accept(created.id as string, { personId: personNumber() }, receipt);
  return { id: created.id as string, from: body.from as string };
}

const pastValidTo = (ids: string[]) =>
  sql(t, "UPDATE consent_requests SET valid_to = now() - interval '2 seconds' WHERE id = ANY($1::uuid[])", [
    ids,
  ]);

describe('before the sweeper runs', () => {
  it('reads an accepted consent past validTo as expired everywhere, and no transition uses it', async () => {
    const { id, from } = await accepted();
    await pastValidTo([id]);
    expect((await http(t, 'GET', `${CONSENT_PATH}/${id}`, w.consumer.read)).body.status).toBe('expired');
    expect((await consents.findById(id))?.status).toBe('expired');
    const list = await http(t, 'GET', `${CONSENT_PATH}?status=expired`, w.consumer.read);
    expect(list.body.data.map((d: { id: string }) => d.id)).toContain(id);
    const acceptedList = await http(t, 'GET', `${CONSENT_PATH}?status=accepted`, w.consumer.read);
    expect(acceptedList.body.data.map((d: { id: string }) => d.id)).not.toContain(id);
    const issuer = await bearer(t, { org: '991825827', scope: [Scopes.consentLookup] });
    const lookup = await http(t, 'POST', LOOKUP_PATH, issuer, { id, from, to: orgUrnOf(w.consumer.org) });
    expect(lookup.body.code).toBe('AM-00013');
    expect(await consents.markUsed(id, orgUrnOf(w.consumer.org))).toBe(false);
    await expect(consents.revoke(id, { personId: personNumber() })).rejects.toMatchObject({
      code: 'AM-00010',
    });
    const [row] = await sql(t, 'SELECT status FROM consent_requests WHERE id = $1', [id]);
    expect(row.status).toBe('accepted'); // nothing was written yet
  });
});

describe('the sweeper', () => {
  it('writes status expired, an expired event at validTo by `to`, and an audit row, once', async () => {
    const { id } = await accepted();
    await pastValidTo([id]);
    const [{ valid_to: validTo }] = await sql(t, 'SELECT valid_to FROM consent_requests WHERE id = $1', [id]);
    expect(await sweeper.sweepAll()).toBeGreaterThanOrEqual(1);
    const [row] = await sql(t, 'SELECT status FROM consent_requests WHERE id = $1', [id]);
    expect(row.status).toBe('expired');
    const dto = (await http(t, 'GET', `${CONSENT_PATH}/${id}`, w.consumer.read)).body;
    expect(dto.consentRequestEvents.map((e: { eventType: string }) => e.eventType)).toEqual([
      'created',
      'accepted',
      'expired',
    ]);
    expect(dto.consentRequestEvents[2]).toMatchObject({
      created: (validTo as Date).toISOString(),
      performedBy: orgUrnOf(w.consumer.org),
    });
    const audit = await sql(
      t,
      "SELECT actor_org, actor_person, before, after FROM audit_log WHERE object_id = $1 AND action = 'consent.expired'",
      [id],
    );
    expect(audit).toEqual([
      { actor_org: null, actor_person: null, before: { status: 'accepted' }, after: { status: 'expired' } },
    ]);
    expect(await sweeper.sweepAll()).toBe(0);
    const feed = await http(
      t,
      'GET',
      `${CONSENT_PATH}/events?consentRequestId=${id}&eventType=expired`,
      w.consumer.read,
    );
    expect(feed.body.data).toHaveLength(1);
  });

  it('also expires a request nobody answered, leaving decided ones alone', async () => {
    const open = await createConsent(
      t,
      w.consumer.auth,
      consentBody({ to: w.consumer.org, resource: w.resource }),
    );
    const rejected = await createConsent(
      t,
      w.consumer.auth,
      consentBody({ to: w.consumer.org, resource: w.resource }),
    );
    await consents.reject(rejected.id as string, { personId: personNumber() });
    await pastValidTo([open.id as string, rejected.id as string]);
    await sweeper.sweepAll();
    const rows = await sql(
      t,
      'SELECT id::text, status FROM consent_requests WHERE id = ANY($1::uuid[]) ORDER BY status',
      [[open.id, rejected.id]],
    );
    expect(rows).toEqual([
      { id: open.id, status: 'expired' },
      { id: rejected.id, status: 'rejected' },
    ]);
    await expect(
      consents.accept(open.id as string, { personId: personNumber() }, receipt),
    ).rejects.toMatchObject({ code: 'AM-00013' });
  });

  it('runs in the background at validTo in an app with a short interval', async () => {
    // An app of its own (own database): two apps on one embedded PGlite would share its socket.
    const live = await createTestApp({ env: { EXPIRY_SWEEP_INTERVAL_MS: '100' } });
    try {
      const lw = await consentWorld(live);
      const body = consentBody({
        to: lw.consumer.org,
        resource: lw.resource,
        validTo: new Date(Date.now() + 1500).toISOString(),
      });
      const created = await createConsent(live, lw.consumer.auth, body);
      await live.app.get(ConsentsService).accept(created.id as string, { personId: personNumber() }, receipt);
      let status = '';
      for (let i = 0; i < 60 && status !== 'expired'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        [{ status }] = await sql(live, 'SELECT status FROM consent_requests WHERE id = $1', [created.id]);
      }
      expect(status).toBe('expired');
      const events = await sql(
        live,
        'SELECT event_type FROM consent_events WHERE consent_request_id = $1 ORDER BY seq',
        [created.id],
      );
      expect(events.map((e: { event_type: string }) => e.event_type)).toEqual([
        'created',
        'accepted',
        'expired',
      ]);
    } finally {
      await live.close();
    }
  });
});

(onPostgres ? describe : describe.skip)('two sweepers on one database (PostgreSQL)', () => {
  it('expire every consent exactly once', async () => {
    const replica = await createTestApp({ db: t.db, env: { EXPIRY_SWEEP_INTERVAL_MS: '3600000' } });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 120; i++) ids.push((await accepted()).id);
      await pastValidTo(ids);
      const a = t.app.get(ConsentExpirySweeper);
      const b = replica.app.get(ConsentExpirySweeper);
      // Small batches from both at once, until every consent is expired. Their background sweeps,
      // woken by the consents' changes, may take part too (holding rows the others then skip):
      // the counts below hold for all of them.
      for (let round = 0; round < 500; round++) {
        await Promise.all([a.sweepOnce(7), b.sweepOnce(7), a.sweepOnce(11), b.sweepOnce(5)]);
        const [{ open }] = await sql(
          t,
          "SELECT count(*)::int AS open FROM consent_requests WHERE status <> 'expired' AND id = ANY($1::uuid[])",
          [ids],
        );
        if (open === 0) break;
      }
      const counts = await sql(
        t,
        "SELECT consent_request_id::text AS id, count(*)::int AS n FROM consent_events WHERE event_type = 'expired' AND consent_request_id = ANY($1::uuid[]) GROUP BY 1",
        [ids],
      );
      expect(counts).toHaveLength(120);
      expect(counts.every((c: { n: number }) => c.n === 1)).toBe(true);
      const audit = await sql(
        t,
        "SELECT count(*)::int AS n FROM audit_log WHERE action = 'consent.expired' AND object_id = ANY($1::text[])",
        [ids],
      );
      expect(audit).toEqual([{ n: 120 }]);
    } finally {
      await replica.close();
    }
  });

  it('a revoke racing the sweeper leaves one final state and one matching event', async () => {
    for (let round = 0; round < 10; round++) {
      const { id } = await accepted();
      await sql(
        t,
        "UPDATE consent_requests SET valid_to = now() + interval '150 milliseconds' WHERE id = $1",
        [id],
      );
      await new Promise((r) => setTimeout(r, 140 + (round % 3) * 10));
      await Promise.allSettled([consents.revoke(id, { personId: personNumber() }), sweeper.sweepOnce()]);
      await new Promise((r) => setTimeout(r, 30));
      await sweeper.sweepAll();
      const [{ status }] = await sql(t, 'SELECT status FROM consent_requests WHERE id = $1', [id]);
      const history = (
        await sql(t, 'SELECT event_type FROM consent_events WHERE consent_request_id = $1 ORDER BY seq', [id])
      ).map((r: { event_type: string }) => r.event_type);
      expect(['revoked', 'expired']).toContain(status);
      expect(history).toEqual(['created', 'accepted', status]);
    }
  });
});
