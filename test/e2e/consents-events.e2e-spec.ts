import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ConsentsService } from '../../src/consents/consents.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { orgNumber, personNumber } from '../factories/orgs.js';
import { Scopes } from '../../src/common/auth/scopes.js';
import { bearer } from '../helpers/tokens.js';
import {
  consentBody,
  consentWorld,
  consumer,
  createConsent,
  EVENTS_PATH as EVENTS,
  FeedPoller,
  http,
  problemBody,
  walkFeed,
  type ConsentWorld,
  type Consumer,
  type FeedItem,
} from '../factories/consent-fixtures.js';

/** GET /consentrequests/events: Altinn's feed (DESIGN §4.6, §10 "Events feed"). */

const VALIDATION = 'One or more validation errors occurred.';
interface Samples {
  eventsPage: { data: Record<string, unknown>[] };
}
const samples = JSON.parse(
  readFileSync(path.join(process.cwd(), 'test/fixtures/altinn-consent-samples.json'), 'utf8'),
) as Samples;

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

/** Follows `next` from `path` until a page without one; every item and the number of pages. */
const drain = (auth: string, path = EVENTS) => walkFeed(t, auth, path);

describe('the events feed', () => {
  let c: Consumer;
  const ids: string[] = [];

  beforeAll(async () => {
    c = await consumer(t);
    for (let i = 0; i < 60; i++)
      ids.push(
        (await createConsent(t, c.auth, consentBody({ to: c.org, resource: w.resource }))).id as string,
      );
    for (let i = 0; i < 60; i++) {
      if (i % 3 === 0)
        await consents.accept(
          ids[i],
          { personId: personNumber() },
          { language: 'nb', html: '<p/>', text: {} },
        );
      else if (i % 3 === 1) await consents.reject(ids[i], { personId: personNumber() });
      else await consents.cancel(ids[i], c.org);
    }
  });

  it("lists the caller's events oldest first in Altinn's shape, 100 a page", async () => {
    const first = await http(t, 'GET', EVENTS, c.read);
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(['data', 'links']);
    expect(first.body.data).toHaveLength(100);
    expect(Object.keys(first.body.data[0]).sort()).toEqual(Object.keys(samples.eventsPage.data[0]).sort());
    expect(first.body.data[0]).toEqual({
      consentRequestId: ids[0],
      eventType: 'created',
      changedDate: expect.any(String),
    });
    expect(first.body.links.next).toMatch(
      /^\/accessmanagement\/api\/v1\/enterprise\/consentrequests\/events\?continuationToken=[A-Za-z0-9_-]+$/,
    );

    const { items, pages } = await drain(c.read);
    expect(pages).toBe(2); // 100 with a next link, then 20 without one (DESIGN §11: next only on a full page)
    expect(items).toHaveLength(120);
    expect(items.slice(0, 60).map((e) => [e.consentRequestId, e.eventType])).toEqual(
      ids.map((id) => [id, 'created']),
    );
    expect(items.slice(60).map((e) => [e.consentRequestId, e.eventType])).toEqual(
      ids.map((id, i) => [id, ['accepted', 'rejected', 'deleted'][i % 3]]),
    );
    const times = items.map((e) => Date.parse(e.changedDate));
    expect(times.every((x, i) => i === 0 || x >= times[i - 1])).toBe(true);
  });

  it('filters by event type (any case, repeated or comma-separated), request id and time, and keeps filters in next', async () => {
    const accepted = await drain(c.read, `${EVENTS}?eventType=Accepted`);
    expect(accepted.items.map((e) => e.consentRequestId)).toEqual(ids.filter((_, i) => i % 3 === 0));
    const two = await drain(c.read, `${EVENTS}?eventType=REJECTED&eventType=deleted`);
    expect(two.items).toHaveLength(40);
    const comma = await drain(c.read, `${EVENTS}?eventType=rejected,deleted`);
    expect(comma.items).toEqual(two.items);
    const one = await http(t, 'GET', `${EVENTS}?consentRequestId=${ids[4]}`, c.read);
    expect(one.body).toEqual({
      links: { next: null }, // a shorter page: no next link
      data: [
        { consentRequestId: ids[4], eventType: 'created', changedDate: expect.any(String) },
        { consentRequestId: ids[4], eventType: 'rejected', changedDate: expect.any(String) },
      ],
    });
    // 60 created + 20 rejected + 20 deleted: exactly one full page, so a next link that keeps the
    // filter, and then an empty page without one.
    const full = await http(t, 'GET', `${EVENTS}?eventType=created&eventType=rejected,deleted`, c.read);
    expect(full.body.data).toHaveLength(100);
    expect(full.body.links.next).toMatch(/[?&]eventType=created%2Crejected%2Cdeleted&/);
    const after = await http(t, 'GET', full.body.links.next as string, c.read);
    expect(after.body).toEqual({ links: { next: null }, data: [] });
    const none = await http(
      t,
      'GET',
      `${EVENTS}?createdAfter=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      c.read,
    );
    expect(none.body).toEqual({ links: { next: null }, data: [] });
    const all = await drain(
      c.read,
      `${EVENTS}?createdBefore=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    expect(all.items).toHaveLength(120);
  });

  it("never shows another consumer's events, and shows handledBy its requests", async () => {
    const other = await consumer(t);
    expect((await http(t, 'GET', EVENTS, other.read)).body).toEqual({ links: { next: null }, data: [] });
    const supplier = orgNumber();
    const client = await consumer(t, orgNumber(), [], supplier);
    const created = await createConsent(
      t,
      client.auth,
      consentBody({ to: client.org, resource: w.resource }),
    );
    const asSupplier = await consumer(t, supplier);
    const feed = await drain(asSupplier.read);
    expect(feed.items.map((e) => e.consentRequestId)).toEqual([created.id]);
  });

  it('shows an event as soon as its transaction commits, to a poller of the last page', async () => {
    const c2 = await consumer(t);
    const poller = new FeedPoller(t, c2.read);
    expect(await poller.poll()).toEqual([]);
    const created = await createConsent(t, c2.auth, consentBody({ to: c2.org, resource: w.resource }));
    expect(await poller.poll()).toEqual([
      {
        consentRequestId: created.id,
        eventType: 'created',
        changedDate: created.consentRequestEvents[0].created,
      },
    ]);
    // Asking for the last (shorter) page again picks up what is new.
    await consents.reject(created.id as string, { personId: personNumber() });
    expect((await poller.poll()).map((e: FeedItem) => e.eventType)).toEqual(['rejected']);
  });

  it("reads with Altinn's read policy: .read, .write or .org; 403 with another scope, 401 without a token", async () => {
    const org = await bearer(t, { org: c.org, scope: Scopes.consentRequestsOrg });
    for (const auth of [c.read, c.write, org]) {
      const res = await http(t, 'GET', `${EVENTS}?consentRequestId=${ids[0]}`, auth);
      expect(res.status).toBe(200);
      expect(res.body.data.map((e: FeedItem) => e.eventType)).toEqual(['created', 'accepted']);
    }
    const other = await http(
      t,
      'GET',
      EVENTS,
      await bearer(t, { org: c.org, scope: 'altinn:consentrequests.wite' }),
    );
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('AUTH-00403');
    expect((await http(t, 'GET', EVENTS)).status).toBe(401);
  });
});

describe('events feed validation (exact problems)', () => {
  it('AM.VLD-00051: createdAfter is not before createdBefore', async () => {
    const res = await http(
      t,
      'GET',
      `${EVENTS}?createdAfter=2026-01-02T00:00:00Z&createdBefore=2026-01-01T00:00:00Z`,
      w.consumer.read,
    );
    expect(res.body).toEqual(
      problemBody(400, 'AM.VLD-00051', VALIDATION, "'createdAfter' must be earlier than 'createdBefore'.", [
        {
          code: 'AM.VLD-00051',
          title: 'createdAfter must be earlier than createdBefore.',
          paths: ['/createdAfter'],
        },
      ]),
    );
  });

  it('AM.VLD-00052: an unknown event type', async () => {
    const res = await http(t, 'GET', `${EVENTS}?eventType=approved`, w.consumer.read);
    expect(res.body).toEqual(
      problemBody(
        400,
        'AM.VLD-00052',
        VALIDATION,
        "'approved' is not one of created, accepted, rejected, revoked, deleted, expired, used, expiring, extension_requested, extended, extension_declined, extension_cancelled, usage_summary.",
        [{ code: 'AM.VLD-00052', title: 'Invalid event type.', paths: ['/eventType'] }],
      ),
    );
  });

  it.each([['abc'], ['ZTA'], ['ZS0x'], [Buffer.from('e12x').toString('base64url')], ['ZTE=']])(
    'AM.VLD-00053: the continuation token %j',
    async (token) => {
      const res = await http(
        t,
        'GET',
        `${EVENTS}?continuationToken=${encodeURIComponent(token)}`,
        w.consumer.read,
      );
      expect(res.body).toEqual(
        problemBody(400, 'AM.VLD-00053', VALIDATION, 'The continuation token is invalid.', [
          { code: 'AM.VLD-00053', title: 'Invalid continuation token.', paths: ['/continuationToken'] },
        ]),
      );
    },
  );

  it('STD.VLD-00001 and STD.VLD-00002: a bad date, a bad id and an unknown parameter, all at once', async () => {
    const res = await http(
      t,
      'GET',
      `${EVENTS}?createdAfter=yesterday&consentRequestId=42&pageSize=5`,
      w.consumer.read,
    );
    expect(res.body).toEqual(
      problemBody(
        400,
        'STD-00000',
        VALIDATION,
        "/pageSize: Unknown query parameter 'pageSize'.; /createdAfter: 'createdAfter' must be an ISO 8601 date-time.; /consentRequestId: 'consentRequestId' must be a UUID.",
        [
          { code: 'STD.VLD-00002', title: 'Unknown query parameter pageSize', paths: ['/pageSize'] },
          { code: 'STD.VLD-00001', title: 'Invalid createdAfter', paths: ['/createdAfter'] },
          {
            code: 'STD.VLD-00001',
            title: "'consentRequestId' must be a UUID.",
            paths: ['/consentRequestId'],
          },
        ],
      ),
    );
  });

  it('accepts a valid request id that has no events', async () => {
    const res = await http(t, 'GET', `${EVENTS}?consentRequestId=${randomUUID()}`, w.consumer.read);
    expect(res.body).toEqual({ links: { next: null }, data: [] });
  });
});
