import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Scopes } from '../../src/common/auth/scopes.js';
import { ConsentExtensionDecisionsService } from '../../src/consents/consent-extension-decisions.service.js';
import { ConsentsService } from '../../src/consents/consents.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectRefused } from '../helpers/refusals.js';
import { bearer } from '../helpers/tokens.js';
import { orgNumber, personNumber } from '../factories/orgs.js';
import { ADMIN_ORG, createResource } from '../factories/registry.js';
import {
  CONSENT_PATH,
  EVENTS_PATH,
  consentBody,
  consentWorld,
  consumer,
  createConsent,
  http,
  orgUrnOf,
  personUrnOf,
  sql,
  type ConsentWorld,
  type Consumer,
} from '../factories/consent-fixtures.js';
import { accessListAuth, accessListWith } from '../factories/gateway-fixtures.js';
import { receiverPool } from '../factories/webhook-deliveries.js';
import { eventually, subscribe } from '../factories/webhook-fixtures.js';

/**
 * Extending a consent without a new one (beyond Altinn; docs/consent-lifecycle.md#extending-a-consent),
 * the consumer's API: asking, reading, cancelling; every refusal with its code and nothing
 * written; who may (negative tests); versions for the consumer and the owner; events, feed and
 * webhooks. The person's side (portal, Chromium) and tokens/gateway have their own files.
 */

const DAY = 24 * 3600 * 1000;
let t: TestApp;
let w: ConsentWorld;
const receiver = receiverPool();
const extensionsPath = (id: string) => `${CONSENT_PATH}/${id}/extensions`;
const later = (days: number) => new Date(Date.now() + days * DAY).toISOString();

beforeAll(async () => {
  t = await createTestApp();
  w = await consentWorld(t);
});

afterAll(async () => {
  await t?.close();
});

/** An accepted consent (30 days) of `c` on `resource`; returns id and the person. */
async function acceptedConsent(
  c: Consumer = w.consumer,
  resource = w.resource,
  metadata: Record<string, string> | null = resource === w.resource ? { inntektsaar: '2024' } : null,
): Promise<{ id: string; pid: string }> {
  const pid = personNumber();
  const dto = await createConsent(
    t,
    c.auth,
    consentBody({ to: c.org, resource, from: personUrnOf(pid), metadata }),
  );
  await t.app
    .get(ConsentsService)
    .accept(dto.id as string, { personId: pid }, { language: 'nb', html: '<p>v1</p>', text: { v: 1 } });
  return { id: dto.id as string, pid };
}

async function extensionCount(id: string): Promise<number> {
  const [row] = await sql(
    t,
    'SELECT count(*)::int AS n FROM consent_extensions WHERE consent_request_id = $1',
    [id],
  );
  return row.n as number;
}

function approve(id: string, extensionId: string, pid: string) {
  return t.app
    .get(ConsentsService)
    .findById(id)
    .then((consent) =>
      t.app
        .get(ConsentExtensionDecisionsService)
        .approve(
          consent!,
          extensionId,
          { personId: pid },
          { language: 'en', html: '<p>v2</p>', text: { v: 2 } },
        ),
    );
}

describe('asking for an extension', () => {
  it('creates a pending extension (201 with Location) and leaves the consent as it is until approved', async () => {
    const { id } = await acceptedConsent();
    const validTo = later(400);
    const res = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      consentRequestId: id,
      status: 'pending',
      validTo: new Date(validTo).toISOString(),
      previousValidTo: expect.any(String),
      baseVersion: 1,
      requestedBy: orgUrnOf(w.consumer.org),
      created: expect.any(String),
      decidedBy: null,
      decided: null,
      version: null,
    });
    expect(res.headers.get('location')).toBe(`${t.url}${extensionsPath(id)}/${res.body.id}`);
    const consent = await http(t, 'GET', `${CONSENT_PATH}/${id}`, w.consumer.auth);
    expect(consent.body.validTo).toBe(res.body.previousValidTo);
    // Altinn's details never list the extension's events.
    expect(consent.body.consentRequestEvents.map((e: { eventType: string }) => e.eventType)).toEqual([
      'created',
      'accepted',
    ]);
    const read = await http(t, 'GET', `${extensionsPath(id)}/${res.body.id}`, w.consumer.read);
    expect(read.body).toEqual(res.body);
    const list = await http(t, 'GET', extensionsPath(id), w.consumer.read);
    expect(list.body).toEqual([res.body]);
  });

  it('is audited with the consumer as actor', async () => {
    const { id } = await acceptedConsent();
    const res = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(100) });
    const audit = await sql(
      t,
      `SELECT actor_org, after FROM audit_log WHERE object_id = $1 AND action = 'consent.extension_requested'`,
      [id],
    );
    expect(audit).toEqual([
      { actor_org: w.consumer.org, after: expect.objectContaining({ extensionId: res.body.id }) },
    ]);
  });
});

describe('refusals (nothing is written)', () => {
  it('400 naming validTo when it is missing, malformed, or the body has other members', async () => {
    const { id } = await acceptedConsent();
    for (const [body, code, path] of [
      [{}, 'STD.VLD-00000', '/validTo'],
      [{ validTo: 'next year' }, 'STD.VLD-00001', '/validTo'],
      [{ validTo: '2027-02-30T00:00:00Z' }, 'STD.VLD-00001', '/validTo'],
      [{ validTo: later(60), consentRights: [] }, 'STD.VLD-00002', '/consentRights'],
    ] as const) {
      const res = await http(t, 'POST', extensionsPath(id), w.consumer.auth, body);
      expect({
        status: res.status,
        code: res.body.code,
        paths: res.body.validationErrors?.[0]?.paths,
      }).toEqual({
        status: 400,
        code,
        paths: [path],
      });
    }
    expect(await extensionCount(id)).toBe(0);
  });

  it('400 CX-00003 when validTo is not later than the current one', async () => {
    const { id } = await acceptedConsent();
    const current = (await http(t, 'GET', `${CONSENT_PATH}/${id}`, w.consumer.auth)).body.validTo as string;
    for (const validTo of [current, later(1)]) {
      const res = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo });
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'CX-00003' });
      expect(res.body.validationErrors[0].paths).toEqual(['/validTo']);
    }
    expect(await extensionCount(id)).toBe(0);
  });

  it('400 CX-00001 for a consent that is not accepted: unanswered, revoked, expired', async () => {
    const created = await createConsent(
      t,
      w.consumer.auth,
      consentBody({ to: w.consumer.org, resource: w.resource }),
    );
    const revoked = await acceptedConsent();
    await t.app.get(ConsentsService).revoke(revoked.id, { personId: revoked.pid });
    const expired = await acceptedConsent();
    await sql(t, `UPDATE consent_requests SET valid_to = now() - interval '1 minute' WHERE id = $1`, [
      expired.id,
    ]);
    for (const id of [created.id as string, revoked.id, expired.id]) {
      const res = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(400) });
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'CX-00001' });
      expect(await extensionCount(id)).toBe(0);
    }
  });

  it('409 CX-00002 while another extension is pending, naming it; after cancelling, a new one is fine', async () => {
    const { id } = await acceptedConsent();
    const first = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(100) });
    const second = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(200) });
    expect({
      status: second.status,
      code: second.body.code,
      pending: second.body.pendingExtensionId,
    }).toEqual({
      status: 409,
      code: 'CX-00002',
      pending: first.body.id,
    });
    expect(await extensionCount(id)).toBe(1);
    const cancelled = await http(t, 'POST', `${extensionsPath(id)}/${first.body.id}/cancel`, w.consumer.auth);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(200) })).status).toBe(
      201,
    );
  });

  it('two concurrent requests: one is pending, the other 409 CX-00002', async () => {
    const { id } = await acceptedConsent();
    const answers = await Promise.all(
      [100, 200].map((d) => http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(d) })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(await extensionCount(id)).toBe(1);
  });

  it("400 CP-00001 beyond the resource policy's maxValidity, counted from now", async () => {
    const limited = await createResource(t, w.owner, {
      consentMetadata: {},
      consentText: { nb: 'Data.', nn: 'Data.', en: 'Data.' },
    });
    const { id } = await acceptedConsent(w.consumer, limited.identifier);
    const put = await http(
      t,
      'PUT',
      `/resourceregistry/api/v1/resource/${limited.identifier}/policy`,
      w.owner.auth,
      {
        maxValidity: 'P90D',
      },
    );
    expect(put.status).toBe(200);
    const res = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(120) });
    expect({ status: res.status, code: res.body.code, paths: res.body.validationErrors[0].paths }).toEqual({
      status: 400,
      code: 'CP-00001',
      paths: ['/validTo'],
    });
    expect((await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(80) })).status).toBe(
      201,
    );
  });

  it('400 CP-00004 when a metadata value of the consent is no longer allowed by the policy', async () => {
    const resource = await createResource(t, w.owner, {
      consentMetadata: { inntektsaar: { optional: false } },
    });
    const { id } = await acceptedConsent(w.consumer, resource.identifier, { inntektsaar: '2024' });
    await http(t, 'PUT', `/resourceregistry/api/v1/resource/${resource.identifier}/policy`, w.owner.auth, {
      metadataValues: { inntektsaar: { enum: ['2025'] } },
    });
    const res = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(100) });
    expect({ status: res.status, code: res.body.code, paths: res.body.validationErrors[0].paths }).toEqual({
      status: 400,
      code: 'CP-00004',
      paths: ['/consentRights/0/metadata/inntektsaar'],
    });
    expect(await extensionCount(id)).toBe(0);
  });

  it('403 AM-00000 when the consumer is no longer on the access list of the resource', async () => {
    const listed = await createResource(t, w.owner, {
      consentMetadata: {},
      consentText: { nb: 'Data.', nn: 'Data.', en: 'Data.' },
      accessListMode: 'Enabled',
    });
    const world = { owner: w.owner, resource: listed.identifier, scope: '', consumer: w.consumer.org };
    const list = await accessListWith(t, world, [w.consumer.org]);
    const { id } = await acceptedConsent(w.consumer, listed.identifier);
    const removed = await fetch(
      `${t.url}/resourceregistry/api/v1/access-lists/${w.owner.orgcode}/${list}/members`,
      {
        method: 'DELETE',
        headers: { authorization: await accessListAuth(t, world), 'content-type': 'application/json' },
        body: JSON.stringify({ data: [orgUrnOf(w.consumer.org)] }),
      },
    );
    expect(removed.status).toBe(200);
    const res = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(100) });
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 403, code: 'AM-00000' });
    expect(await extensionCount(id)).toBe(0);
  });
});

describe('who may (negative tests)', () => {
  it('another consumer gets 403 AM-00000 and nothing is written; an unknown consent 404 AM-00001', async () => {
    const { id } = await acceptedConsent();
    const other = await consumer(t, orgNumber());
    const res = await http(t, 'POST', extensionsPath(id), other.auth, { validTo: later(100) });
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 403, code: 'AM-00000' });
    await expectRefused(await http(t, 'GET', extensionsPath(id), other.auth), {
      status: 403,
      code: 'AM-00000',
    });
    expect(await extensionCount(id)).toBe(0);
    const missing = await http(t, 'POST', extensionsPath(crypto.randomUUID()), w.consumer.auth, {
      validTo: later(100),
    });
    expect({ status: missing.status, code: missing.body.code }).toEqual({ status: 404, code: 'AM-00001' });
  });

  it('a read-only token may read but not ask or cancel (403 AUTH-00403); the owner may not ask', async () => {
    const { id } = await acceptedConsent();
    const ask = await http(t, 'POST', extensionsPath(id), w.consumer.read, { validTo: later(100) });
    expect({ status: ask.status, code: ask.body.code }).toEqual({ status: 403, code: 'AUTH-00403' });
    const byOwner = await http(t, 'POST', extensionsPath(id), w.owner.auth, { validTo: later(100) });
    await expectRefused(byOwner, { status: 403 });
    const created = await http(t, 'POST', extensionsPath(id), w.consumer.write, { validTo: later(100) });
    expect(created.status).toBe(201);
    const cancel = await http(t, 'POST', `${extensionsPath(id)}/${created.body.id}/cancel`, w.consumer.read);
    await expectRefused(cancel, { status: 403, code: 'AUTH-00403' });
    expect(
      (await http(t, 'GET', `${extensionsPath(id)}/${created.body.id}`, w.consumer.read)).body.status,
    ).toBe('pending');
  });

  it("another consumer cannot cancel or read this consent's extension; an extension id of another consent is 404 CX-00005", async () => {
    const a = await acceptedConsent();
    const b = await acceptedConsent();
    const ext = await http(t, 'POST', extensionsPath(a.id), w.consumer.auth, { validTo: later(100) });
    const other = await consumer(t, orgNumber());
    expect((await http(t, 'POST', `${extensionsPath(a.id)}/${ext.body.id}/cancel`, other.auth)).status).toBe(
      403,
    );
    const wrong = await http(t, 'POST', `${extensionsPath(b.id)}/${ext.body.id}/cancel`, w.consumer.auth);
    expect({ status: wrong.status, code: wrong.body.code }).toEqual({ status: 404, code: 'CX-00005' });
    expect(
      (await http(t, 'GET', `${extensionsPath(a.id)}/${ext.body.id}`, w.consumer.read)).body.status,
    ).toBe('pending');
  });
});

describe('a supplier that handles the consent (`handledBy`)', () => {
  it('may ask for and cancel an extension; the consumer `to` reads it too', async () => {
    const supplier = orgNumber();
    const supplierAuth = await bearer(t, {
      org: supplier,
      scope: [Scopes.consentRequestsOrg, Scopes.consentRequestsRead],
    });
    const pid = personNumber();
    const dto = await createConsent(
      t,
      supplierAuth,
      consentBody({ to: w.consumer.org, resource: w.resource, from: personUrnOf(pid) }),
    );
    expect(dto.handledBy).toBe(orgUrnOf(supplier));
    await t.app
      .get(ConsentsService)
      .accept(dto.id as string, { personId: pid }, { language: 'nb', html: '<p>v1</p>', text: {} });
    const ext = await http(t, 'POST', extensionsPath(dto.id as string), supplierAuth, {
      validTo: later(100),
    });
    expect({ status: ext.status, requestedBy: ext.body.requestedBy }).toEqual({
      status: 201,
      requestedBy: orgUrnOf(supplier),
    });
    expect((await http(t, 'GET', extensionsPath(dto.id as string), w.consumer.read)).body).toHaveLength(1);
    const cancel = await http(
      t,
      'POST',
      `${extensionsPath(dto.id as string)}/${ext.body.id}/cancel`,
      supplierAuth,
    );
    expect(cancel.body).toMatchObject({ status: 'cancelled', decidedBy: orgUrnOf(supplier) });
  });
});

describe('approval makes a new version', () => {
  it('keeps the id, moves validTo, adds version 2 with its own receipt; the versions are readable by consumer and owner', async () => {
    const { id, pid } = await acceptedConsent();
    const before = (await http(t, 'GET', `${CONSENT_PATH}/${id}`, w.consumer.auth)).body;
    const validTo = later(300);
    const ext = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo });
    await approve(id, ext.body.id, pid);

    const after = (await http(t, 'GET', `${CONSENT_PATH}/${id}`, w.consumer.auth)).body;
    expect({ ...after, validTo: undefined }).toEqual({ ...before, validTo: undefined });
    expect(after.validTo).toBe(new Date(validTo).toISOString());
    expect(after.consented).toBe(before.consented);

    const read = await http(t, 'GET', `${extensionsPath(id)}/${ext.body.id}`, w.consumer.read);
    expect(read.body).toMatchObject({ status: 'approved', version: 2, decidedBy: personUrnOf(pid) });

    const versions = await http(t, 'GET', `${CONSENT_PATH}/${id}/versions`, w.consumer.read);
    expect(versions.body).toEqual({
      consentRequestId: id,
      currentVersion: 2,
      versions: [
        {
          version: 1,
          validTo: before.validTo,
          consentRights: before.consentRights,
          acceptedBy: personUrnOf(pid),
          accepted: before.consented,
          extensionId: null,
        },
        {
          version: 2,
          validTo: new Date(validTo).toISOString(),
          consentRights: before.consentRights,
          acceptedBy: personUrnOf(pid),
          accepted: expect.any(String),
          extensionId: ext.body.id,
        },
      ],
    });
    const owner = await bearer(t, { org: w.owner.orgNumber, scope: [Scopes.resourceRead] });
    expect((await http(t, 'GET', `${CONSENT_PATH}/${id}/versions`, owner)).body).toEqual(versions.body);
    const stranger = await bearer(t, { org: orgNumber(), scope: [Scopes.resourceRead] });
    await expectRefused(await http(t, 'GET', `${CONSENT_PATH}/${id}/versions`, stranger), { status: 403 });
    const admin = await bearer(t, { org: ADMIN_ORG, scope: [Scopes.consentRequestsRead] });
    await expectRefused(await http(t, 'GET', `${CONSENT_PATH}/${id}/versions`, admin), { status: 403 });

    const receipts = await sql(
      t,
      'SELECT version, html, language FROM consent_versions WHERE consent_request_id = $1 ORDER BY version',
      [id],
    );
    expect(receipts).toEqual([
      { version: 1, html: '<p>v1</p>', language: 'nb' },
      { version: 2, html: '<p>v2</p>', language: 'en' },
    ]);
    const audit = await sql(
      t,
      `SELECT actor_person FROM audit_log WHERE object_id = $1 AND action = 'consent.extended'`,
      [id],
    );
    expect(audit).toEqual([{ actor_person: pid }]);
  });

  it('a second extension makes version 3; cancelling an approved one is 409 CX-00004', async () => {
    const { id, pid } = await acceptedConsent();
    const first = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(100) });
    await approve(id, first.body.id, pid);
    const cancel = await http(t, 'POST', `${extensionsPath(id)}/${first.body.id}/cancel`, w.consumer.auth);
    expect({ status: cancel.status, code: cancel.body.code }).toEqual({ status: 409, code: 'CX-00004' });
    const second = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(200) });
    expect(second.body.baseVersion).toBe(2);
    await approve(id, second.body.id, pid);
    const versions = await http(t, 'GET', `${CONSENT_PATH}/${id}/versions`, w.consumer.read);
    expect(versions.body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2, 3]);
  });

  it('approval racing a revocation ends in a state one of them legitimately made', async () => {
    for (let i = 0; i < 3; i++) {
      const { id, pid } = await acceptedConsent();
      const ext = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(100) });
      const [approval] = await Promise.allSettled([
        approve(id, ext.body.id, pid),
        t.app.get(ConsentsService).revoke(id, { personId: pid }),
      ]);
      const [row] = await sql(t, 'SELECT status, version FROM consent_requests WHERE id = $1', [id]);
      const status = (await http(t, 'GET', `${extensionsPath(id)}/${ext.body.id}`, w.consumer.read)).body
        .status;
      expect(row.status).toBe('revoked');
      // Approved before the revocation (version 2), or refused after it (lapsed, version 1).
      expect([approval.status, status, row.version]).toEqual(
        approval.status === 'fulfilled' ? ['fulfilled', 'approved', 2] : ['rejected', 'lapsed', 1],
      );
    }
  });

  it('a pending extension lapses when the consent is revoked, and can then not be approved', async () => {
    const { id, pid } = await acceptedConsent();
    const ext = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(100) });
    await t.app.get(ConsentsService).revoke(id, { personId: pid });
    expect((await http(t, 'GET', `${extensionsPath(id)}/${ext.body.id}`, w.consumer.read)).body.status).toBe(
      'lapsed',
    );
    await expect(approve(id, ext.body.id, pid)).rejects.toMatchObject({ code: 'CX-00004' });
    expect((await http(t, 'GET', `${CONSENT_PATH}/${id}`, w.consumer.auth)).body.status).toBe('revoked');
  });
});

describe('events and webhooks (beyond Altinn: only for who asks by type)', () => {
  it('sends consent.extension_requested, consent.extended and consent.extension_cancelled with the extension id', async () => {
    const r = await receiver();
    await subscribe(t, w.consumer.org, r.url, ['extension_requested', 'extended', 'extension_cancelled']);
    const { id, pid } = await acceptedConsent();
    const first = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(100) });
    await http(t, 'POST', `${extensionsPath(id)}/${first.body.id}/cancel`, w.consumer.auth);
    const second = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(100) });
    await approve(id, second.body.id, pid);
    const mine = () => r.received.filter((d) => d.body?.data?.consentRequestId === id);
    await eventually(() => mine().length >= 4);
    expect(mine().map((d) => [d.body.type, d.body.data.extensionId])).toEqual([
      ['consent.extension_requested', first.body.id],
      ['consent.extension_cancelled', first.body.id],
      ['consent.extension_requested', second.body.id],
      ['consent.extended', second.body.id],
    ]);
    expect(Object.keys(mine()[3].body.data).sort()).toEqual([
      'changedDate',
      'consentRequestId',
      'eventType',
      'extensionId',
    ]);
  });

  it('the feed shows extension events only when asked for by eventType', async () => {
    const { id, pid } = await acceptedConsent();
    const ext = await http(t, 'POST', extensionsPath(id), w.consumer.auth, { validTo: later(100) });
    await approve(id, ext.body.id, pid);
    const plain = await http(t, 'GET', `${EVENTS_PATH}?consentRequestId=${id}`, w.consumer.read);
    expect(plain.body.data.map((e: { eventType: string }) => e.eventType)).toEqual(['created', 'accepted']);
    const asked = await http(
      t,
      'GET',
      `${EVENTS_PATH}?consentRequestId=${id}&eventType=extension_requested,extended`,
      w.consumer.read,
    );
    expect(asked.status).toBe(200);
    expect(asked.body.data.map((e: { eventType: string }) => e.eventType)).toEqual([
      'extension_requested',
      'extended',
    ]);
  });
});
