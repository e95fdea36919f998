import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ConsentsService } from '../../src/consents/consents.service.js';
import { Scopes } from '../../src/common/auth/scopes.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectRefused } from '../helpers/refusals.js';
import { bearer } from '../helpers/tokens.js';
import { orgNumber, personNumber } from '../factories/orgs.js';
import {
  CONSENT_PATH,
  consentBody,
  consentCounts,
  consentWorld,
  consumer,
  createConsent,
  http,
  orgUrnOf,
  personUrnOf,
  problemBody,
  type ConsentWorld,
  type Consumer,
} from '../factories/consent-fixtures.js';

/** GET /{id}, the request list and cancel (DESIGN §4.6; list and cancel are beyond Altinn). */

const VALIDATION = 'One or more validation errors occurred.';
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

describe('reading one request', () => {
  it('shows the consumer exactly what create answered', async () => {
    const created = await createConsent(
      t,
      w.consumer.auth,
      consentBody({ to: w.consumer.org, resource: w.resource }),
    );
    const res = await http(t, 'GET', `${CONSENT_PATH}/${created.id as string}`, w.consumer.read);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created);
  });

  it('shows the supplier named in handledBy, with its own token', async () => {
    const supplier = orgNumber();
    const c = await consumer(t, orgNumber(), [], supplier);
    const created = await createConsent(t, c.auth, consentBody({ to: c.org, resource: w.resource }));
    const supplierSelf = await consumer(t, supplier);
    const res = await http(t, 'GET', `${CONSENT_PATH}/${created.id as string}`, supplierSelf.read);
    expect(res.status).toBe(200);
    expect(res.body.handledBy).toBe(orgUrnOf(supplier));
  });

  it('is AM-00000 (403) for any other organisation', async () => {
    const created = await createConsent(
      t,
      w.consumer.auth,
      consentBody({ to: w.consumer.org, resource: w.resource }),
    );
    const other = await consumer(t);
    const res = await http(t, 'GET', `${CONSENT_PATH}/${created.id as string}`, other.read);
    expect(res.body).toEqual(
      problemBody(
        403,
        'AM-00000',
        'Not authorized for consent request',
        'The caller is neither the consumer (`to`) nor `handledBy` of this consent request.',
      ),
    );
    expect(res.status).toBe(403);
  });

  it('is AM-00001 (404) for an unknown id and 400 for an id that is not a UUID', async () => {
    const id = randomUUID();
    const res = await http(t, 'GET', `${CONSENT_PATH}/${id}`, w.consumer.read);
    expect(res.body).toEqual(
      problemBody(404, 'AM-00001', 'Consent not found', `No consent request with id '${id}' exists.`),
    );
    const bad = await http(t, 'GET', `${CONSENT_PATH}/xyz`, w.consumer.read);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(
      problemBody(400, 'STD.VLD-00001', VALIDATION, 'The id must be a UUID.', [
        { code: 'STD.VLD-00001', title: 'The id must be a UUID.', paths: ['/id'] },
      ]),
    );
  });

  it("reads with Altinn's read policy: a write-only token reads back what it created; another scope is 403", async () => {
    const created = await createConsent(
      t,
      w.consumer.write,
      consentBody({ to: w.consumer.org, resource: w.resource }),
    );
    const path = `${CONSENT_PATH}/${created.id as string}`;
    const asOrg = await bearer(t, { org: w.consumer.org, scope: Scopes.consentRequestsOrg });
    for (const auth of [w.consumer.write, w.consumer.read, asOrg]) {
      const res = await http(t, 'GET', path, auth);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(created);
    }
    for (const path2 of [path, CONSENT_PATH]) {
      const other = await http(
        t,
        'GET',
        path2,
        await bearer(t, { org: w.consumer.org, scope: 'skd:inntekt' }),
      );
      expect(other.status).toBe(403);
      expect(other.body.code).toBe('AUTH-00403');
      await expectRefused(await http(t, 'GET', path2), { status: 401, code: 'AUTH-00401' });
    }
  });
});

describe('listing requests (beyond Altinn)', () => {
  let c: Consumer;
  const subject = personUrnOf(personNumber());
  const ids: string[] = [];

  beforeAll(async () => {
    c = await consumer(t);
    for (let i = 0; i < 103; i++) {
      const body = consentBody({
        to: c.org,
        resource: i % 2 ? w.plain : w.resource,
        metadata: i % 2 ? null : { inntektsaar: '2024' },
      });
      if (i === 5) body.from = subject;
      ids.push((await createConsent(t, c.auth, body)).id as string);
    }
    await consents.accept(
      ids[0],
      { personId: personNumber() },
      { language: 'nb', html: '<p>x</p>', text: {} },
    );
    await consents.reject(ids[1], { personId: personNumber() });
  });

  it('pages newest first, 100 a page, with a next link until the end', async () => {
    const first = await http(t, 'GET', CONSENT_PATH, c.read);
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(100);
    expect(first.body.data[0].id).toBe(ids[102]);
    expect(first.body.links.next).toMatch(
      /^\/accessmanagement\/api\/v1\/enterprise\/consentrequests\?continuationToken=/,
    );
    const second = await http(t, 'GET', first.body.links.next as string, c.read);
    expect(second.body.data.map((d: { id: string }) => d.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(second.body.links.next).toBeNull();
  });

  it('filters by status, resource, from and time, and shows only the caller’s requests', async () => {
    const accepted = await http(t, 'GET', `${CONSENT_PATH}?status=accepted`, c.read);
    expect(accepted.body.data.map((d: { id: string }) => d.id)).toEqual([ids[0]]);
    const two = await http(t, 'GET', `${CONSENT_PATH}?status=Accepted,rejected`, c.read);
    expect(two.body.data.map((d: { id: string }) => d.id)).toEqual([ids[1], ids[0]]);
    const byResource = await http(t, 'GET', `${CONSENT_PATH}?resource=${w.plain}`, c.read);
    expect(byResource.body.data).toHaveLength(51);
    const byFrom = await http(t, 'GET', `${CONSENT_PATH}?from=${encodeURIComponent(subject)}`, c.read);
    expect(byFrom.body.data.map((d: { id: string }) => d.id)).toEqual([ids[5]]);
    const future = await http(
      t,
      'GET',
      `${CONSENT_PATH}?createdAfter=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      c.read,
    );
    expect(future.body).toEqual({ links: { next: null }, data: [] });
    const other = await consumer(t);
    expect((await http(t, 'GET', CONSENT_PATH, other.read)).body.data).toEqual([]);
  });

  it('refuses bad filters with the problems listed', async () => {
    const res = await http(
      t,
      'GET',
      `${CONSENT_PATH}?status=done&from=x&continuationToken=abc&sort=asc`,
      c.read,
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('STD-00000');
    expect(res.body.validationErrors.map((e: { code: string }) => e.code)).toEqual([
      'STD.VLD-00002',
      'AM.VLD-00052',
      'AM.VLD-00001',
      'AM.VLD-00053',
    ]);
  });
});

describe('cancelling a request (beyond Altinn)', () => {
  it('sets status deleted with an event, and again is a no-op', async () => {
    const created = await createConsent(
      t,
      w.consumer.auth,
      consentBody({ to: w.consumer.org, resource: w.resource }),
    );
    const res = await http(t, 'POST', `${CONSENT_PATH}/${created.id as string}/cancel`, w.consumer.write);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('deleted');
    expect(
      res.body.consentRequestEvents.map((e: { eventType: string; performedBy: string }) => [
        e.eventType,
        e.performedBy,
      ]),
    ).toEqual([
      ['created', orgUrnOf(w.consumer.org)],
      ['deleted', orgUrnOf(w.consumer.org)],
    ]);
    const before = await consentCounts(t);
    const again = await http(t, 'POST', `${CONSENT_PATH}/${created.id as string}/cancel`, w.consumer.write);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect(await consentCounts(t)).toEqual(before);
  });

  it('refuses an accepted consent (409), another organisation (AM-00000) and an unknown id (AM-00001)', async () => {
    const created = await createConsent(
      t,
      w.consumer.auth,
      consentBody({ to: w.consumer.org, resource: w.resource }),
    );
    await consents.accept(
      created.id as string,
      { personId: personNumber() },
      { language: 'en', html: '<p>ok</p>', text: null },
    );
    const before = await consentCounts(t);
    const accepted = await http(
      t,
      'POST',
      `${CONSENT_PATH}/${created.id as string}/cancel`,
      w.consumer.write,
    );
    expect(accepted.body).toEqual(
      problemBody(
        409,
        'STD-00409',
        'Conflict',
        'The consent request is accepted; only a created request can be cancelled.',
      ),
    );
    const other = await consumer(t);
    const open = await createConsent(
      t,
      w.consumer.auth,
      consentBody({ to: w.consumer.org, resource: w.resource }),
    );
    const afterOpen = await consentCounts(t);
    expect(
      (await http(t, 'POST', `${CONSENT_PATH}/${open.id as string}/cancel`, other.write)).body.code,
    ).toBe('AM-00000');
    expect((await http(t, 'POST', `${CONSENT_PATH}/${randomUUID()}/cancel`, w.consumer.write)).status).toBe(
      404,
    );
    await expectRefused(
      await http(t, 'POST', `${CONSENT_PATH}/${open.id as string}/cancel`, w.consumer.read),
      {
        status: 403,
        code: 'AUTH-00403',
      },
    );
    expect(await consentCounts(t)).toEqual(afterOpen);
    expect(afterOpen.requests).toBe(before.requests + 1);
  });
});
