import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Scopes } from '../../src/common/auth/scopes.js';
import { ConsentsService } from '../../src/consents/consents.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectRefused } from '../helpers/refusals.js';
import { bearer } from '../helpers/tokens.js';
import { personNumber } from '../factories/orgs.js';
import { devLogin } from '../factories/portal-fixtures.js';
import { ADMIN_ORG, registerOwner } from '../factories/registry.js';
import {
  CONSENT_PATH,
  LOOKUP_PATH,
  consentBody,
  consentWorld,
  createConsent,
  http,
  orgUrnOf,
  personUrnOf,
  sql,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';
import { receiverPool } from '../factories/webhook-deliveries.js';
import { eventually, subscribe } from '../factories/webhook-fixtures.js';

/**
 * Revocation with a reason by the data owner or the platform operator (beyond Altinn;
 * docs/consent-lifecycle.md): audited with the actor, the reason on the `revoked` event for the
 * consumer (API, webhook) and the person, effective like any revocation. Everyone else: 404/403.
 */

let t: TestApp;
let w: ConsentWorld;
const receiver = receiverPool();
const revokePath = (id: string) => `/admin/v1/consents/${id}/revoke`;
const REASON = 'Suspected fraud reported by the account holder';

beforeAll(async () => {
  t = await createTestApp();
  w = await consentWorld(t);
});

afterAll(async () => {
  await t?.close();
});

/** An accepted consent of the world's consumer on the world's resource; returns id and person. */
async function acceptedConsent(): Promise<{ id: string; pid: string }> {
  const pid = personNumber();
  const dto = await createConsent(
    t,
    w.consumer.auth,
    consentBody({ to: w.consumer.org, resource: w.resource, from: personUrnOf(pid) }),
  );
  await t.app
    .get(ConsentsService)
    .accept(dto.id as string, { personId: pid }, { language: 'nb', html: '<p>ok</p>', text: {} });
  return { id: dto.id as string, pid };
}

async function statusOf(id: string): Promise<string> {
  const [row] = await sql(t, 'SELECT status FROM consent_requests WHERE id = $1', [id]);
  return row.status as string;
}

describe('revocation by the data owner', () => {
  it('revokes at once with the reason on the event, audited with the owner as actor', async () => {
    const { id } = await acceptedConsent();
    const res = await http(t, 'POST', revokePath(id), w.owner.auth, { reason: `  ${REASON} ` });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('revoked');
    const last = res.body.consentRequestEvents.at(-1);
    expect(last).toEqual({
      consentEventID: expect.any(String),
      created: expect.any(String),
      performedBy: orgUrnOf(w.owner.orgNumber),
      eventType: 'revoked',
      consentRequestID: id,
      reason: REASON,
    });
    // Events without a reason keep Altinn's shape exactly.
    expect(Object.keys(res.body.consentRequestEvents[0])).not.toContain('reason');

    const audit = await sql(
      t,
      `SELECT actor_org, owner_org, after FROM audit_log WHERE object_id = $1 AND action = 'consent.revoked'`,
      [id],
    );
    expect(audit).toEqual([
      {
        actor_org: w.owner.orgNumber,
        owner_org: w.owner.orgNumber,
        after: { status: 'revoked', reason: REASON },
      },
    ]);
  });

  it('shows the reason to the consumer through the API, and the consent can no longer be used', async () => {
    const { id, pid } = await acceptedConsent();
    await http(t, 'POST', revokePath(id), w.owner.auth, { reason: REASON });
    const read = await http(t, 'GET', `${CONSENT_PATH}/${id}`, w.consumer.auth);
    expect(read.body.status).toBe('revoked');
    expect(read.body.consentRequestEvents.at(-1).reason).toBe(REASON);

    const issuer = await bearer(t, { org: ADMIN_ORG, scope: [Scopes.consentLookup] });
    const lookup = await http(t, 'POST', LOOKUP_PATH, issuer, {
      id,
      from: personUrnOf(pid),
      to: orgUrnOf(w.consumer.org),
    });
    expect(lookup.status).toBe(400);
    expect(lookup.body.code).toBe('AM-00011');
  });

  it('sends the consumer a consent.revoked webhook carrying the reason', async () => {
    const r = await receiver();
    await subscribe(t, w.consumer.org, r.url, ['revoked']);
    const { id } = await acceptedConsent();
    await http(t, 'POST', revokePath(id), w.owner.auth, { reason: REASON });
    const delivery = await eventually(() => r.received.find((d) => d.body?.data?.consentRequestId === id));
    expect(delivery.body.type).toBe('consent.revoked');
    expect(delivery.body.data).toEqual({
      consentRequestId: id,
      eventType: 'revoked',
      changedDate: expect.any(String),
      reason: REASON,
    });
  });

  it('revoking a revoked consent again changes nothing (the first reason stays)', async () => {
    const { id } = await acceptedConsent();
    await http(t, 'POST', revokePath(id), w.owner.auth, { reason: REASON });
    const again = await http(t, 'POST', revokePath(id), w.owner.auth, { reason: 'another reason' });
    expect(again.status).toBe(200);
    const revokedEvents = again.body.consentRequestEvents.filter(
      (e: { eventType: string }) => e.eventType === 'revoked',
    );
    expect(revokedEvents).toHaveLength(1);
    expect(revokedEvents[0].reason).toBe(REASON);
  });
});

describe('revocation by the platform operator', () => {
  it('may revoke any consent, and is recorded as the actor', async () => {
    const { id } = await acceptedConsent();
    const admin = await bearer(t, { org: ADMIN_ORG, scope: [Scopes.admin] });
    const res = await http(t, 'POST', revokePath(id), admin, { reason: 'Court order 2026-123' });
    expect(res.status).toBe(200);
    expect(res.body.consentRequestEvents.at(-1).performedBy).toBe(orgUrnOf(ADMIN_ORG));
    const [audit] = await sql(
      t,
      `SELECT actor_org FROM audit_log WHERE object_id = $1 AND action = 'consent.revoked'`,
      [id],
    );
    expect(audit.actor_org).toBe(ADMIN_ORG);
  });
});

describe('who may not revoke', () => {
  it('AM-00001: another owner gets 404 and the consent stays accepted', async () => {
    const { id } = await acceptedConsent();
    const other = await registerOwner(t);
    const res = await http(t, 'POST', revokePath(id), other.auth, { reason: REASON });
    await expectRefused(res, { status: 404, code: 'AM-00001' });
    expect(await statusOf(id)).toBe('accepted');
  });

  it('AUTH-00403: the consumer (consent-API scopes only) is refused', async () => {
    const { id } = await acceptedConsent();
    const res = await http(t, 'POST', revokePath(id), w.consumer.auth, { reason: REASON });
    await expectRefused(res, { status: 403, code: 'AUTH-00403' });
    expect(await statusOf(id)).toBe('accepted');
  });

  it('AM-00001: the consumer with a resource-write token of its own is no owner of this resource', async () => {
    const { id } = await acceptedConsent();
    const auth = await bearer(t, { org: w.consumer.org, scope: [Scopes.resourceWrite] });
    const res = await http(t, 'POST', revokePath(id), auth, { reason: REASON });
    await expectRefused(res, { status: 404, code: 'AM-00001' });
    expect(await statusOf(id)).toBe('accepted');
  });

  it('AUTH-00401: the person (a portal session, no token) is refused; they revoke in the portal', async () => {
    const { id, pid } = await acceptedConsent();
    const portal = await devLogin(t, pid);
    const res = await portal.post(revokePath(id), { reason: REASON });
    await expectRefused(
      { ...res, body: JSON.parse(res.body) as unknown },
      { status: 401, code: 'AUTH-00401' },
    );
    expect(await statusOf(id)).toBe('accepted');
  });
});

describe('bad input', () => {
  it('names the reason when it is missing, empty or too long, and changes nothing', async () => {
    const { id } = await acceptedConsent();
    for (const body of [{}, { reason: '   ' }, { reason: 'x'.repeat(1001) }, { reason: 42 }]) {
      const res = await http(t, 'POST', revokePath(id), w.owner.auth, body);
      await expectRefused(res, { status: 400, field: '$.reason' });
    }
    const extra = await http(t, 'POST', revokePath(id), w.owner.auth, { reason: REASON, note: 'x' });
    await expectRefused(extra, { status: 400, code: 'STD.VLD-00002', field: '$.note' });
    expect(await statusOf(id)).toBe('accepted');
  });

  it('answers 400 for an id that is not a UUID', async () => {
    const res = await http(t, 'POST', revokePath('not-a-uuid'), w.owner.auth, { reason: REASON });
    await expectRefused(res, { status: 400, field: '$.id' });
  });

  it('AM-00010: only an accepted consent can be revoked', async () => {
    const dto = await createConsent(
      t,
      w.consumer.auth,
      consentBody({ to: w.consumer.org, resource: w.resource }),
    );
    const res = await http(t, 'POST', revokePath(dto.id as string), w.owner.auth, { reason: REASON });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('AM-00010');
    expect(await statusOf(dto.id as string)).toBe('created');
  });
});
