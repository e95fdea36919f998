import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DomainError } from '../../src/common/errors/domain-error.js';
import { ChangeBus, type ChangeEvent } from '../../src/common/events/change-bus.js';
import { ConsentsService } from '../../src/consents/consents.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { orgNumber, personNumber } from '../factories/orgs.js';
import {
  CONSENT_PATH,
  consentBody,
  consentCounts,
  consentWorld,
  createConsent,
  expiredInDb,
  http,
  orgUrnOf,
  personUrnOf,
  rawClient,
  sql,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';

/**
 * The lifecycle (DESIGN §4.7) through ConsentsService, the API the portal, token issuer and gateway
 * use: transitions, idempotency, Altinn's wrong-state codes, receipts, audit and change events.
 * Concurrency is proven on PostgreSQL (PGlite serialises connections, so races cannot happen).
 */

const onPostgres = !!process.env.TEST_DATABASE_URL;
let t: TestApp;
let w: ConsentWorld;
let consents: ConsentsService;

beforeAll(async () => {
  t = await createTestApp();
  w = await consentWorld(t);
  consents = t.app.get(ConsentsService);
});

afterAll(async () => {
  await t?.close();
});

async function newRequest(resource = w.resource, extra: Record<string, unknown> = {}): Promise<string> {
  const metadata = resource === w.plain ? null : { inntektsaar: '2024' };
  return (
    await createConsent(t, w.consumer.auth, {
      ...consentBody({ to: w.consumer.org, resource, metadata }),
      ...extra,
    })
  ).id as string;
}

async function events(id: string): Promise<[string, string | null][]> {
  const rows = await sql(
    t,
    'SELECT event_type, performed_by FROM consent_events WHERE consent_request_id = $1 ORDER BY seq',
    [id],
  );
  return rows.map((r: { event_type: string; performed_by: string | null }) => [r.event_type, r.performed_by]);
}

async function refusedWith(p: Promise<unknown>, status: number, code: string): Promise<DomainError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).status).toBe(status);
  expect((err as DomainError).code).toBe(code);
  return err as DomainError;
}

const receipt = {
  language: 'nb' as const,
  html: '<h1>Samtykke</h1><p>Inntekt 2024</p>',
  text: { title: 'Samtykke', body: 'Inntekt 2024' },
};

describe('accepting', () => {
  it('accepts a created request, stores the receipt, the event, the audit row and publishes the change', async () => {
    const id = await newRequest();
    const pid = personNumber();
    const seen: ChangeEvent[] = [];
    t.app.get(ChangeBus).subscribe((e) => seen.push(e));
    const record = await consents.accept(id, { personId: pid }, receipt);
    const rights = [
      {
        action: ['consent'],
        resource: [{ type: 'urn:altinn:resource', value: w.resource }],
        metadata: { inntektsaar: '2024' },
      },
    ];
    expect(record).toEqual({
      id,
      from: expect.stringMatching(/^urn:altinn:person:identifier-no:\d{11}$/),
      to: orgUrnOf(w.consumer.org),
      toOrg: w.consumer.org,
      handledBy: null,
      requiredDelegator: null,
      validTo: expect.any(Date),
      consented: expect.any(Date),
      status: 'accepted',
      consentRights: rights,
      // An all-or-nothing request (Altinn's): it grants every right it asked for.
      grantedRights: rights,
      partialAcceptance: null,
      requestMessage: { nb: 'Vi ber om samtykke', en: 'Please consent' },
      redirectUrl: 'https://bank.example/done',
      portalViewMode: 'hide',
      isOneTime: false,
      templateId: 'default',
      templateVersion: expect.any(Number),
      resourceVersions: { [w.resource]: expect.any(String) },
      resources: [w.resource],
      createdAt: expect.any(Date),
      version: 1,
    });
    expect(await events(id)).toEqual([
      ['created', orgUrnOf(w.consumer.org)],
      ['accepted', personUrnOf(pid)],
    ]);
    expect(await consents.getReceipt(id)).toEqual({
      ...receipt,
      templateId: 'default',
      templateVersion: record.templateVersion,
      resourceVersions: record.resourceVersions,
      acceptedBy: personUrnOf(pid),
      acceptedAt: record.consented,
    });
    const audit = await sql(
      t,
      "SELECT actor_person, action, owner_org, before, after FROM audit_log WHERE object_id = $1 AND action = 'consent.accepted'",
      [id],
    );
    expect(audit).toEqual([
      {
        actor_person: pid,
        action: 'consent.accepted',
        owner_org: w.owner.orgNumber,
        before: { status: 'created' },
        after: expect.objectContaining({ status: 'accepted' }),
      },
    ]);
    expect(seen).toContainEqual(expect.objectContaining({ topic: 'consent', id }));
    // The consumer sees `consented` equal to the time of the accepted event, as in Altinn's sample.
    const dto = (await http(t, 'GET', `${CONSENT_PATH}/${id}`, w.consumer.read)).body;
    expect(dto.status).toBe('accepted');
    expect(dto.consented).toBe(dto.consentRequestEvents[1].created);
  });

  it('returns the consent unchanged when the same person accepts again', async () => {
    const id = await newRequest();
    const pid = personNumber();
    const first = await consents.accept(id, { personId: pid }, receipt);
    const before = await consentCounts(t);
    expect(await consents.accept(id, { personId: pid }, receipt)).toEqual(first);
    expect(await consentCounts(t)).toEqual(before);
  });

  it('is AM-00002 when someone else accepted, or the request was rejected, and changes nothing', async () => {
    const id = await newRequest();
    await consents.accept(id, { personId: personNumber() }, receipt);
    const rejected = await newRequest();
    await consents.reject(rejected, { personId: personNumber() });
    const before = await consentCounts(t);
    await refusedWith(consents.accept(id, { personId: personNumber() }, receipt), 400, 'AM-00002');
    const err = await refusedWith(
      consents.accept(rejected, { personId: personNumber() }, receipt),
      400,
      'AM-00002',
    );
    expect(err.title).toBe('Consent has the wrong status to be accepted');
    expect(await consentCounts(t)).toEqual(before);
  });

  it('is AM-00013 for a request past validTo and AM-00001 for an unknown id', async () => {
    const id = await newRequest();
    await sql(t, "UPDATE consent_requests SET valid_to = now() - interval '1 second' WHERE id = $1", [id]);
    await refusedWith(consents.accept(id, { personId: personNumber() }, receipt), 400, 'AM-00013');
    // Let the background sweeper's expiry of this request land now, not inside a later test's count.
    await expiredInDb(t, id);
    await refusedWith(consents.accept(randomUUID(), { personId: personNumber() }, receipt), 404, 'AM-00001');
    await refusedWith(consents.accept('nope', { personId: personNumber() }, receipt), 404, 'AM-00001');
  });

  it('refuses an invalid person number or receipt without changing anything', async () => {
    const id = await newRequest();
    const before = await consentCounts(t);
    await refusedWith(consents.accept(id, { personId: '02013299996' }, receipt), 400, 'STD.VLD-00001');
    await refusedWith(
      consents.accept(id, { personId: personNumber() }, { ...receipt, language: 'de' as 'nb' }),
      400,
      'STD.VLD-00001',
    );
    expect(await consentCounts(t)).toEqual(before);
  });
});

describe('rejecting, revoking, cancelling and using', () => {
  it('rejects a created request; again is a no-op; an accepted one is AM-00015', async () => {
    const id = await newRequest();
    const pid = personNumber();
    const r = await consents.reject(id, { personId: pid });
    expect(r.status).toBe('rejected');
    expect(r.consented).toBeNull();
    expect(await consents.reject(id, { personId: pid })).toEqual(r);
    expect(await events(id)).toEqual([
      ['created', orgUrnOf(w.consumer.org)],
      ['rejected', personUrnOf(pid)],
    ]);
    const accepted = await newRequest();
    await consents.accept(accepted, { personId: pid }, receipt);
    const err = await refusedWith(consents.reject(accepted, { personId: pid }), 400, 'AM-00015');
    expect(err.title).toBe('Consent cannot be rejected; wrong status');
  });

  it('revokes an accepted consent; again is a no-op; a created one is AM-00010', async () => {
    const id = await newRequest();
    const pid = personNumber();
    await consents.accept(id, { personId: pid }, receipt);
    const r = await consents.revoke(id, { personId: pid });
    expect(r.status).toBe('revoked');
    expect(await consents.revoke(id, { personId: pid })).toEqual(r);
    expect((await events(id)).map((e) => e[0])).toEqual(['created', 'accepted', 'revoked']);
    const created = await newRequest();
    const err = await refusedWith(consents.revoke(created, { personId: pid }), 400, 'AM-00010');
    expect(err.type).toBeUndefined(); // rendered as urn:altinn:error:AM-00010 by the filter
    const audit = await sql(t, 'SELECT action FROM audit_log WHERE object_id = $1 ORDER BY id', [id]);
    expect(audit.map((a: { action: string }) => a.action)).toEqual([
      'consent.created',
      'consent.accepted',
      'consent.revoked',
    ]);
  });

  it('cancels for the consumer or handledBy only', async () => {
    const id = await newRequest();
    await refusedWith(consents.cancel(id, orgNumber()), 403, 'AM-00000');
    const r = await consents.cancel(id, orgUrnOf(w.consumer.org));
    expect(r.status).toBe('deleted');
    await refusedWith(consents.cancel(randomUUID(), w.consumer.org), 404, 'AM-00001');
  });

  it('marks an accepted consent used once: true for the first caller only', async () => {
    const id = await newRequest(w.oneTime);
    expect(await consents.markUsed(id, orgUrnOf(w.consumer.org))).toBe(false); // not accepted yet
    await consents.accept(id, { personId: personNumber() }, receipt);
    expect(await consents.markUsed(id, orgUrnOf(w.consumer.org))).toBe(true);
    expect(await consents.markUsed(id, orgUrnOf(w.consumer.org))).toBe(false);
    expect((await consents.findById(id))?.status).toBe('used');
    expect((await events(id)).at(-1)).toEqual(['used', orgUrnOf(w.consumer.org)]);
    expect(await consents.markUsed(randomUUID(), orgUrnOf(w.consumer.org))).toBe(false);
    expect(await consents.markUsed('x', orgUrnOf(w.consumer.org))).toBe(false);
  });

  it('finds and lists consents for the portal, and has no receipt before accept', async () => {
    const subject = personUrnOf(personNumber());
    const a = await newRequest(w.resource, { from: subject });
    const b = await newRequest(w.plain, { from: subject });
    const list = await consents.listForParties([subject, personUrnOf(personNumber())]);
    expect(list.map((r) => r.id)).toEqual([b, a]);
    expect(await consents.listForParties([])).toEqual([]);
    expect(await consents.findById(randomUUID())).toBeNull();
    expect(await consents.findById('not-a-uuid')).toBeNull();
    expect(await consents.getReceipt(a)).toBeNull();
  });
});

(onPostgres ? describe : describe.skip)('races (PostgreSQL)', () => {
  it('two concurrent accepts by the same person produce one event and both answer accepted', async () => {
    for (let round = 0; round < 5; round++) {
      const id = await newRequest();
      const pid = personNumber();
      const results = await Promise.all(
        Array.from({ length: 6 }, () => consents.accept(id, { personId: pid }, receipt)),
      );
      expect(new Set(results.map((r) => r.status))).toEqual(new Set(['accepted']));
      expect((await events(id)).filter((e) => e[0] === 'accepted')).toHaveLength(1);
      expect(
        await sql(t, 'SELECT count(*)::int AS n FROM consent_receipts WHERE consent_request_id = $1', [id]),
      ).toEqual([{ n: 1 }]);
    }
  });

  it('concurrent accepts by different people: exactly one wins, the rest get AM-00002', async () => {
    const id = await newRequest();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, () => consents.accept(id, { personId: personNumber() }, receipt)),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((x): x is PromiseRejectedResult => x.status === 'rejected'))
      expect((o.reason as DomainError).code).toBe('AM-00002');
    expect((await events(id)).map((e) => e[0])).toEqual(['created', 'accepted']);
  });

  it('accept racing revoke ends in a valid state whose events tell the same story', async () => {
    for (let round = 0; round < 10; round++) {
      const id = await newRequest();
      const pid = personNumber();
      const [acc, rev] = await Promise.allSettled([
        consents.accept(id, { personId: pid }, receipt),
        consents.revoke(id, { personId: pid }),
      ]);
      expect(acc.status).toBe('fulfilled');
      const state = (await consents.findById(id))!.status;
      const history = (await events(id)).map((e) => e[0]);
      if (rev.status === 'fulfilled') {
        expect(state).toBe('revoked');
        expect(history).toEqual(['created', 'accepted', 'revoked']);
      } else {
        expect((rev.reason as DomainError).code).toBe('AM-00010');
        expect(state).toBe('accepted');
        expect(history).toEqual(['created', 'accepted']);
      }
    }
  });

  it('accept racing reject: exactly one decision is recorded', async () => {
    for (let round = 0; round < 10; round++) {
      const id = await newRequest();
      const [acc, rej] = await Promise.allSettled([
        consents.accept(id, { personId: personNumber() }, receipt),
        consents.reject(id, { personId: personNumber() }),
      ]);
      expect([acc.status, rej.status].filter((s) => s === 'fulfilled')).toHaveLength(1);
      expect((await events(id)).length).toBe(2);
    }
  });

  it('ten concurrent markUsed calls: one true, one used event', async () => {
    const id = await newRequest(w.oneTime);
    await consents.accept(id, { personId: personNumber() }, receipt);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => consents.markUsed(id, orgUrnOf(w.consumer.org))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await events(id)).filter((e) => e[0] === 'used')).toHaveLength(1);
  });

  it('sends a PostgreSQL NOTIFY for other replicas when a consent changes', async () => {
    const id = await newRequest();
    const listener = await rawClient(t);
    try {
      const got: string[] = [];
      listener.on('notification', (m) => got.push(m.payload ?? ''));
      await listener.query('LISTEN consentgw_changes');
      await consents.reject(id, { personId: personNumber() });
      for (let i = 0; i < 50 && !got.some((p) => p.includes(id)); i++)
        await new Promise((r) => setTimeout(r, 20));
      // Announced by the feed sequencer's numbering, which batches the consents it numbered.
      expect(got.map((p) => JSON.parse(p) as ChangeEvent)).toContainEqual(
        expect.objectContaining({ topic: 'consent', ids: expect.arrayContaining([id]) }),
      );
    } finally {
      await listener.end();
    }
  });
});
