import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { ConsentFeedSequencer } from '../../src/consents/consent-feed.sequencer.js';
import { ConsentsService } from '../../src/consents/consents.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { personNumber } from '../factories/orgs.js';
import {
  consentBody,
  consentWorld,
  consumer,
  createConsent,
  EVENTS_PATH as EVENTS,
  FeedPoller,
  rawClient,
  walkFeed,
  type ConsentWorld,
  type Consumer,
  type FeedItem,
} from '../factories/consent-fixtures.js';

/**
 * The events feed never skips an event whose transaction commits late (DESIGN §10 "Events
 * feed"; the reasoning is in src/consents/consent-feed.sequencer.ts). Transactions are driven by
 * hand with raw pg connections and committed out of order while the real HTTP feed is read.
 * PostgreSQL only: PGlite serves one connection at a time, so transactions cannot interleave.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let t: TestApp;
let w: ConsentWorld;

beforeAll(async () => {
  t = await createTestApp();
  w = await consentWorld(t);
});

afterAll(async () => {
  await t?.close();
});

const walk = async (auth: string, link: string) => (await walkFeed(t, auth, link)).items;

/** A consent transaction by hand: the status update, then the event insert (as the service writes it). */
async function writeEvent(c: pg.Client, requestId: string, org: string): Promise<bigint> {
  await c.query('BEGIN');
  await c.query("UPDATE consent_requests SET status = 'rejected', updated_at = now() WHERE id = $1", [
    requestId,
  ]);
  const { rows } = await c.query<{ seq: string }>(
    `INSERT INTO consent_events (id, consent_request_id, event_type, created_at, performed_by, to_org, handled_by)
     VALUES ($1, $2, 'rejected', now(), NULL, $3, NULL) RETURNING seq::text`,
    [randomUUID(), requestId, org],
  );
  return BigInt(rows[0].seq);
}

async function twoRequests(c: Consumer): Promise<[string, string]> {
  const a = await createConsent(t, c.auth, consentBody({ to: c.org, resource: w.resource }));
  const b = await createConsent(t, c.auth, consentBody({ to: c.org, resource: w.resource }));
  return [a.id as string, b.id as string];
}

/** Every sequenced position in the database, ascending. */
async function positions(db: pg.Client): Promise<bigint[]> {
  const { rows } = await db.query<{ position: string }>(
    'SELECT seq::text AS position FROM consent_events WHERE seq > 0 ORDER BY seq',
  );
  return rows.map((r) => BigInt(r.position));
}

const contiguous = (xs: bigint[]) => xs.every((x, i) => x === BigInt(i + 1));

(process.env.TEST_DATABASE_URL ? describe : describe.skip)(
  'events feed ordering under out-of-order commits (PostgreSQL)',
  () => {
    it('A inserts first, B second, B commits first: the feed shows B, then A later, and skips nothing', async () => {
      const c = await consumer(t);
      const sequencer = t.app.get(ConsentFeedSequencer);
      const [a, b] = await twoRequests(c);
      const poller = new FeedPoller(t, c.read);
      expect(await poller.poll()).toHaveLength(2); // the two `created` events
      const txA = await rawClient(t);
      const txB = await rawClient(t);
      try {
        const placeholderA = await writeEvent(txA, a, c.org);
        const placeholderB = await writeEvent(txB, b, c.org);
        // Insertion order: A's placeholder comes first; neither has a feed position yet.
        expect(placeholderA).toBeLessThan(0n);
        expect(placeholderB).toBeLessThan(placeholderA);

        await txB.query('COMMIT');
        await sequencer.flush();
        expect(await poller.poll()).toEqual([
          { consentRequestId: b, eventType: 'rejected', changedDate: expect.any(String) },
        ]);

        // The reader has now seen B. A, inserted before B, commits only now …
        await txA.query('COMMIT');
        await sequencer.flush();
        // … and is handed out after B instead of being skipped.
        expect(await poller.poll()).toEqual([
          { consentRequestId: a, eventType: 'rejected', changedDate: expect.any(String) },
        ]);
        const rejected = (await walk(c.read, EVENTS)).filter((i) => i.eventType === 'rejected');
        expect(rejected.map((i) => i.consentRequestId)).toEqual([b, a]);
      } finally {
        await txA.end();
        await txB.end();
      }
    });

    it('keeps an uncommitted event out of the feed, and shows it within 1 s of its commit with no help', async () => {
      const c = await consumer(t);
      const [a] = await twoRequests(c);
      const poller = new FeedPoller(t, c.read);
      await poller.poll();
      const tx = await rawClient(t);
      try {
        await writeEvent(tx, a, c.org);
        await t.app.get(ConsentFeedSequencer).flush();
        expect(await poller.poll()).toEqual([]);
        await tx.query('COMMIT');
        const committedAt = Date.now();
        let items: FeedItem[] = [];
        while (!items.length && Date.now() - committedAt < 1000) {
          await sleep(20);
          items = await poller.poll(); // the background timer numbers it
        }
        expect(items.map((i) => i.consentRequestId)).toEqual([a]);
        expect(Date.now() - committedAt).toBeLessThan(1000);
      } finally {
        await tx.end();
      }
    });

    it('two replicas sequencing a stream of out-of-order commits: every snapshot sees positions 1..max with no hole', async () => {
      const replica = await createTestApp({ db: t.db });
      const observer = await rawClient(t);
      const c = await consumer(t);
      const requests = await Promise.all(Array.from({ length: 8 }, () => twoRequests(c)));
      const writers = await Promise.all(Array.from({ length: 8 }, () => rawClient(t)));
      try {
        let running = true;
        let observations = 0;
        const observe = (async () => {
          while (running) {
            const seen = await positions(observer);
            expect(contiguous(seen)).toBe(true);
            observations++;
          }
        })();
        const sequencers = [t.app.get(ConsentFeedSequencer), replica.app.get(ConsentFeedSequencer)];
        const flushing = (async () => {
          while (running) await Promise.all(sequencers.map((s) => s.flush()));
        })();
        // Each writer holds its transaction open for a random time, so commits land out of order.
        await Promise.all(
          writers.map(async (w8, n) => {
            for (let i = 0; i < 25; i++) {
              await writeEvent(w8, requests[n][i % 2], c.org);
              await sleep(Math.floor(Math.random() * 8));
              await w8.query('COMMIT');
            }
          }),
        );
        running = false;
        await Promise.all([observe, flushing]);
        await sequencers[0].flush();
        const all = await positions(observer);
        expect(contiguous(all)).toBe(true);
        const { rows } = await observer.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM consent_events WHERE seq < 0',
        );
        expect(rows[0].n).toBe(0);
        expect(observations).toBeGreaterThan(5);
        const feed = await walk(c.read, EVENTS);
        expect(feed.filter((i) => i.eventType === 'rejected')).toHaveLength(200);
      } finally {
        await Promise.all(writers.map((x) => x.end()));
        await observer.end();
        await replica.close();
      }
    });

    it('under concurrent real traffic a polling reader sees every event once, in commit order, within 1 s', async () => {
      const c = await consumer(t);
      const consents = t.app.get(ConsentsService);
      const committed = new Map<string, number>();
      const seen = new Map<string, number>();
      const collected: FeedItem[] = [];
      let writing = true;

      const reader = (async () => {
        const poller = new FeedPoller(t, c.read);
        for (;;) {
          // Read `writing` before the request: a poll with nothing new only ends the walk if every
          // write had returned (and so was in the feed) before its first page was asked for.
          const lastRound = !writing;
          const sentAt = Date.now();
          const items = await poller.poll();
          for (const i of items) {
            collected.push(i);
            seen.set(`${i.consentRequestId}/${i.eventType}`, sentAt);
          }
          if (!items.length) {
            if (lastRound) return;
            await sleep(5);
          }
        }
      })();

      const worker = async (n: number) => {
        for (let i = 0; i < 8; i++) {
          const created = await createConsent(t, c.auth, consentBody({ to: c.org, resource: w.resource }));
          const id = created.id as string;
          committed.set(`${id}/created`, Date.now());
          const pick = (n + i) % 3;
          if (pick === 0)
            await consents.accept(
              id,
              { personId: personNumber() },
              { language: 'nb', html: '<p/>', text: {} },
            );
          else if (pick === 1) await consents.reject(id, { personId: personNumber() });
          else await consents.cancel(id, c.org);
          committed.set(`${id}/${['accepted', 'rejected', 'deleted'][pick]}`, Date.now());
        }
      };
      await Promise.all(Array.from({ length: 20 }, (_, n) => worker(n)));
      writing = false;
      await reader;

      const inDb = await (async () => {
        const db = await rawClient(t);
        try {
          const { rows } = await db.query<{ id: string; type: string }>(
            'SELECT consent_request_id::text AS id, event_type AS type FROM consent_events WHERE to_org = $1 ORDER BY seq',
            [c.org],
          );
          return rows.map((r) => `${r.id}/${r.type}`);
        } finally {
          await db.end();
        }
      })();
      const got = collected.map((i) => `${i.consentRequestId}/${i.eventType}`);
      expect(inDb).toHaveLength(320);
      expect(got).toEqual(inDb); // every event, once, in seq (= commit) order
      // Lag from a write's return to the first page *asked for* that showed it (the page's own
      // latency is the reader's, not the feed's: the event is in the feed before the write returns).
      const lags = [...committed].map(([k, at]) => (seen.get(k) ?? Infinity) - at);
      expect(Math.max(...lags)).toBeLessThan(1000);
    });
  },
);
