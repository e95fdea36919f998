import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsentUsageSummaries, USAGE_SUMMARY_GRACE_MS } from '../../src/consents/consent-usage-summaries.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { appWithBackgroundSweepStopped, sweepableConsent } from '../factories/sweep-fixtures.js';
import { CONSENT_PATH, EVENTS_PATH, http, sql, type ConsentWorld } from '../factories/consent-fixtures.js';
import { startUpstream, type Upstream } from '../factories/gateway-fixtures.js';
import { useConsentAtGateway } from '../factories/usage-fixtures.js';
import { receiverPool } from '../factories/webhook-deliveries.js';
import { eventually, subscribe } from '../factories/webhook-fixtures.js';

/**
 * Daily usage summaries (issue 21; docs/consent-lifecycle.md): once a UTC day is over (plus a
 * grace period for the gateway's last flush), every consent that was called that day gets one
 * `usage_summary` event, delivered as the `consent.usage_summary` webhook and shown in the feed
 * only to a reader who asks for it. The summariser's clock is moved instead of waiting; each
 * test summarises days of its own (a finished day is remembered and never read again).
 */

const DAY = 24 * 3600 * 1000;
const MINUTE = 60_000;
let t: TestApp;
let w: ConsentWorld;
let upstream: Upstream;
let summaries: ConsentUsageSummaries;
const receiver = receiverPool();

beforeAll(async () => {
  // This file summarises by hand, with its clock.
  ({ t, w } = await appWithBackgroundSweepStopped());
  upstream = await startUpstream();
  summaries = t.app.get(ConsentUsageSummaries);
});

afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

/** UTC midnight of a day far in the future (the real clock never summarises it); one per test. */
const futureDay = (n: number) => Date.UTC(2031, 0, 1) + n * 10 * DAY;

async function summariseAt(s: ConsentUsageSummaries, at: number): Promise<number> {
  s.clock = () => at;
  try {
    return await s.summariseDue();
  } finally {
    s.clock = () => Date.now();
  }
}

function acceptedConsent(): Promise<string> {
  return sweepableConsent(t, w);
}

/** Counts as the gateway's UsageRecorder writes them (per minute, API, consumer, consent, outcome). */
async function recorded(id: string, api: string, at: number, outcome: string, count: number): Promise<void> {
  await sql(
    t,
    `INSERT INTO gateway_usage (api_name, bucket, consumer_org, consent_id, outcome, count)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [api, new Date(at - (at % MINUTE)), w.consumer.org, id, outcome, count],
  );
}

async function summaryEvents(id: string): Promise<{ id: string; created_at: Date }[]> {
  return sql(
    t,
    `SELECT id::text, created_at FROM consent_events WHERE consent_request_id = $1 AND event_type = 'usage_summary'`,
    [id],
  );
}

async function summaryRows(id: string) {
  return sql(
    t,
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, event_id::text, calls, last_used_at
       FROM consent_usage_summaries WHERE consent_request_id = $1 ORDER BY day`,
    [id],
  );
}

describe('usage summaries after real gateway calls', () => {
  it('summarises today once it is over and the grace period has passed, once only', async () => {
    const used = await acceptedConsent();
    const unused = await acceptedConsent();
    const api = await useConsentAtGateway(t, w, upstream.url, used, 3);
    const today = Date.now() - (Date.now() % DAY);
    const tomorrow = today + DAY;

    expect(await summariseAt(summaries, Date.now())).toBe(0); // the day is not over
    await summariseAt(summaries, tomorrow + USAGE_SUMMARY_GRACE_MS - MINUTE); // within the grace
    expect(await summaryEvents(used)).toHaveLength(0);

    await summariseAt(summaries, tomorrow + USAGE_SUMMARY_GRACE_MS + MINUTE);
    const [event] = await summaryEvents(used);
    expect(await summaryEvents(used)).toHaveLength(1);
    const [row] = await summaryRows(used);
    expect(row).toMatchObject({
      day: new Date(today).toISOString().slice(0, 10),
      event_id: event.id,
      calls: [{ api, consumer: w.consumer.org, outcome: 'upstream_2xx', calls: 3 }],
    });
    expect(row.last_used_at.getTime()).toBeGreaterThanOrEqual(today);
    expect(await summaryEvents(unused)).toHaveLength(0);

    await summariseAt(summaries, tomorrow + 2 * USAGE_SUMMARY_GRACE_MS);
    expect(await summaryEvents(used)).toHaveLength(1);
  });
});

describe('what a summary holds', () => {
  it("counts the day's calls per API, consumer and outcome, with the last call that reached the API", async () => {
    const id = await acceptedConsent();
    const day = futureDay(1);
    await recorded(id, 'inntekt', day + 10 * 3600 * 1000, 'upstream_2xx', 4);
    await recorded(id, 'inntekt', day + 10 * 3600 * 1000 + MINUTE, 'upstream_2xx', 1);
    await recorded(id, 'inntekt', day + 11 * 3600 * 1000, 'GW-00011', 2);
    await recorded(id, 'skatt', day + 12 * 3600 * 1000, 'upstream_4xx', 1);
    await recorded(id, 'skatt', day + DAY - MINUTE, 'GW-00009', 1); // refused: not the last use
    await recorded(id, 'inntekt', day + DAY, 'upstream_2xx', 9); // the next day
    await summariseAt(summaries, day + DAY + USAGE_SUMMARY_GRACE_MS + MINUTE);
    const rows = await summaryRows(id);
    expect(rows).toHaveLength(1);
    expect(rows[0].calls).toEqual([
      { api: 'inntekt', consumer: w.consumer.org, outcome: 'GW-00011', calls: 2 },
      { api: 'inntekt', consumer: w.consumer.org, outcome: 'upstream_2xx', calls: 5 },
      { api: 'skatt', consumer: w.consumer.org, outcome: 'GW-00009', calls: 1 },
      { api: 'skatt', consumer: w.consumer.org, outcome: 'upstream_4xx', calls: 1 },
    ]);
    expect(rows[0].last_used_at.toISOString()).toBe(new Date(day + 12 * 3600 * 1000).toISOString());
  });

  it('catches up days missed while nothing ran, and leaves unused and one-time consents out', async () => {
    const id = await acceptedConsent();
    const oneTime = await acceptedConsent();
    const unused = await acceptedConsent();
    await sql(t, 'UPDATE consent_requests SET is_one_time = true WHERE id = $1', [oneTime]);
    const day = futureDay(2);
    await recorded(id, 'inntekt', day + 3600 * 1000, 'upstream_2xx', 1);
    await recorded(id, 'inntekt', day + 2 * DAY + 3600 * 1000, 'upstream_2xx', 2);
    await recorded(oneTime, 'inntekt', day + 3600 * 1000, 'upstream_2xx', 1);
    // Three days later: both days of use are summarised, one event each.
    await summariseAt(summaries, day + 3 * DAY + USAGE_SUMMARY_GRACE_MS + MINUTE);
    expect((await summaryRows(id)).map((r) => r.day)).toEqual([
      new Date(day).toISOString().slice(0, 10),
      new Date(day + 2 * DAY).toISOString().slice(0, 10),
    ]);
    expect(await summaryEvents(id)).toHaveLength(2);
    expect(await summaryEvents(oneTime)).toHaveLength(0);
    expect(await summaryEvents(unused)).toHaveLength(0);
  });

  it('writes one summary per consent and day when several sweeps run at once', async () => {
    const ids = await Promise.all([1, 2, 3, 4].map(() => acceptedConsent()));
    const day = futureDay(3);
    for (const id of ids) await recorded(id, 'inntekt', day + 3600 * 1000, 'upstream_2xx', 1);
    const at = day + DAY + USAGE_SUMMARY_GRACE_MS + MINUTE;
    summaries.clock = () => at;
    try {
      await Promise.all([summaries.summariseDue(), summaries.summariseDue(), summaries.summariseDue()]);
    } finally {
      summaries.clock = () => Date.now();
    }
    for (const id of ids) expect(await summaryEvents(id)).toHaveLength(1);
  });
});

// Two replicas need two connection pools on one database (PGlite serialises them in one process).
const onPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;
onPostgres('two replicas', () => {
  let b: TestApp;
  beforeAll(async () => {
    b = await createTestApp({
      db: t.db,
      env: { PUBLIC_URL: t.config.publicUrl, EXPIRY_SWEEP_INTERVAL_MS: '3600000' },
    });
  });
  afterAll(async () => {
    await b?.close();
  });

  it('write one summary per consent and day between them', async () => {
    const ids = await Promise.all([1, 2, 3, 4, 5, 6].map(() => acceptedConsent()));
    const day = futureDay(4);
    for (const id of ids) await recorded(id, 'inntekt', day + 3600 * 1000, 'upstream_2xx', 2);
    const at = day + DAY + USAGE_SUMMARY_GRACE_MS + MINUTE;
    const written = await Promise.all([
      summariseAt(summaries, at),
      summariseAt(b.app.get(ConsentUsageSummaries), at),
    ]);
    expect(written[0] + written[1]).toBe(ids.length);
    for (const id of ids) expect(await summaryEvents(id)).toHaveLength(1);
  });
});

describe('what the consumer sees', () => {
  it('gets a consent.usage_summary webhook with the figures when subscribed to usage_summary', async () => {
    const r = await receiver();
    await subscribe(t, w.consumer.org, r.url, ['usage_summary']);
    const id = await acceptedConsent();
    const day = futureDay(5);
    await recorded(id, 'inntekt', day + 8 * 3600 * 1000, 'upstream_2xx', 7);
    await summariseAt(summaries, day + DAY + USAGE_SUMMARY_GRACE_MS + MINUTE);
    const delivery = await eventually(() => r.received.find((d) => d.body?.data?.consentRequestId === id));
    expect(delivery.body.type).toBe('consent.usage_summary');
    expect(delivery.body.data).toEqual({
      consentRequestId: id,
      eventType: 'usage_summary',
      changedDate: expect.any(String),
      day: new Date(day).toISOString().slice(0, 10),
      calls: [{ api: 'inntekt', consumer: w.consumer.org, outcome: 'upstream_2xx', calls: 7 }],
      lastUsedAt: new Date(day + 8 * 3600 * 1000).toISOString(),
    });
  });

  it("keeps summaries out of Altinn's shapes unless the feed is asked for them by eventType", async () => {
    const id = await acceptedConsent();
    const day = futureDay(6);
    await recorded(id, 'inntekt', day + 3600 * 1000, 'upstream_2xx', 1);
    await summariseAt(summaries, day + DAY + USAGE_SUMMARY_GRACE_MS + MINUTE);
    expect(await summaryEvents(id)).toHaveLength(1);

    const plain = await http(t, 'GET', `${EVENTS_PATH}?consentRequestId=${id}`, w.consumer.auth);
    expect(plain.body.data.map((e: { eventType: string }) => e.eventType)).toEqual(['created', 'accepted']);
    const asked = await http(
      t,
      'GET',
      `${EVENTS_PATH}?consentRequestId=${id}&eventType=usage_summary`,
      w.consumer.auth,
    );
    expect(asked.status).toBe(200);
    expect(asked.body.data).toEqual([
      { consentRequestId: id, eventType: 'usage_summary', changedDate: expect.any(String) },
    ]);
    const details = await http(t, 'GET', `${CONSENT_PATH}/${id}`, w.consumer.auth);
    expect(details.body.consentRequestEvents.map((e: { eventType: string }) => e.eventType)).toEqual([
      'created',
      'accepted',
    ]);
  });
});
