import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { ChangeLogService } from '../../src/audit/change-log.service.js';
import { CHANGE_CHANNEL, ChangeBus, type ChangeEvent } from '../../src/common/events/change-bus.js';
import { ConsentFeedSequencer, POLL_MS } from '../../src/consents/consent-feed.sequencer.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  consentBody,
  consentWorld,
  consumer,
  createConsent,
  rawClient,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';

/**
 * The one change path (docs/architecture.md, "The change path"): a change's audit row, outbox
 * rows and NOTIFY are written in the transaction that makes it, consent changes are announced
 * by the feed sequencer's numbering, and each process keeps one LISTEN connection. Another
 * replica is a raw `LISTEN` connection here — exactly what a second process's listener receives
 * (two apps in one test process share the in-process bus, so they cannot show the NOTIFY).
 * PostgreSQL only: PGlite delivers NOTIFY to no other connection.
 */

interface Notification {
  topic: string;
  id?: string;
  ids?: string[];
  origin?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class OtherReplica {
  readonly received: Notification[] = [];
  private constructor(readonly client: pg.Client) {}

  static async listen(t: TestApp): Promise<OtherReplica> {
    const client = await rawClient(t);
    const replica = new OtherReplica(client);
    client.on('notification', (m) => {
      if (m.channel === CHANGE_CHANNEL && m.payload)
        replica.received.push(JSON.parse(m.payload) as Notification);
    });
    await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    return replica;
  }

  /** Ids of `topic` received so far (single and batched notifications alike). */
  ids(topic: string): string[] {
    return this.received.filter((n) => n.topic === topic).flatMap((n) => n.ids ?? (n.id ? [n.id] : []));
  }

  async until(check: () => boolean, ms = 2000): Promise<void> {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`not received in ${ms} ms: ${JSON.stringify(this.received)}`);
      await sleep(10);
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

(process.env.TEST_DATABASE_URL ? describe : describe.skip)('the change path (PostgreSQL)', () => {
  let t: TestApp;
  let w: ConsentWorld;
  let other: OtherReplica;
  const local: ChangeEvent[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    w = await consentWorld(t);
    other = await OtherReplica.listen(t);
    t.app.get(ChangeBus).subscribe((e) => local.push(e));
  });

  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  it('delivers a committed change to another replica, with its audit row, and here only after the commit', async () => {
    const id = `scope-${randomUUID()}`;
    let seenHereInside = true;
    await t.app.get(ChangeLogService).transaction(async (_tx, record) => {
      await record({
        topic: 'scope',
        id,
        audit: { actor: { org: '991825827' }, action: 'scope.update', objectType: 'scope', objectId: id },
      });
      seenHereInside = local.some((e) => e.id === id);
    });
    expect(seenHereInside).toBe(false);
    expect(local.filter((e) => e.topic === 'scope' && e.id === id)).toHaveLength(1);
    await other.until(() => other.ids('scope').includes(id));
    const audit = await t.app.get(PrismaService).auditEntry.findMany({ where: { objectId: id } });
    expect(audit.map((a) => a.action)).toEqual(['scope.update']);
  });

  it('publishes nothing, here or elsewhere, and writes no audit row when the change rolls back', async () => {
    const id = `scope-${randomUUID()}`;
    await expect(
      t.app.get(ChangeLogService).transaction(async (_tx, record) => {
        await record({
          topic: 'scope',
          id,
          audit: { actor: {}, action: 'scope.update', objectType: 'scope', objectId: id },
        });
        throw new Error('refused after the change was recorded');
      }),
    ).rejects.toThrow('refused after the change was recorded');
    // A later change on the same connection path arrives; the rolled-back one never does.
    const after = `scope-${randomUUID()}`;
    await t.app.get(ChangeLogService).transaction((_tx, record) => record({ topic: 'scope', id: after }));
    await other.until(() => other.ids('scope').includes(after));
    expect(other.ids('scope')).not.toContain(id);
    expect(local.some((e) => e.id === id)).toBe(false);
    expect(await t.app.get(PrismaService).auditEntry.count({ where: { objectId: id } })).toBe(0);
  });

  it("runs a topic's outbox writers in order inside the change, and a failing one rolls it all back", async () => {
    // A topic without outbox writers of the app's own (webhooks writes for access-request).
    const changeLog = t.app.get(ChangeLogService);
    const calls: string[] = [];
    const offFirst = changeLog.useOutbox<string>('signing-key', async (tx, c) => {
      // Inside the transaction: the audit row written just before is visible here.
      const audited = await tx.auditEntry.count({ where: { objectId: c.id } });
      calls.push(`first:${c.payload}:${audited}`);
    });
    const offSecond = changeLog.useOutbox<string>('signing-key', async (_tx, c) => {
      calls.push(`second:${c.payload}`);
      if (c.payload === 'refuse') throw new Error('outbox full');
    });
    try {
      const refused = `key-${randomUUID()}`;
      const audit = { actor: {}, action: 'access-request.create', objectType: 'signing-key' };
      await expect(
        changeLog.transaction((_tx, record) =>
          record({
            topic: 'signing-key',
            id: refused,
            audit: { ...audit, objectId: refused },
            payload: 'refuse',
          }),
        ),
      ).rejects.toThrow('outbox full');
      offSecond();
      const kept = `key-${randomUUID()}`;
      await changeLog.transaction((_tx, record) =>
        record({ topic: 'signing-key', id: kept, audit: { ...audit, objectId: kept }, payload: 'keep' }),
      );
      expect(calls).toEqual(['first:refuse:1', 'second:refuse', 'first:keep:1']);
      await other.until(() => other.ids('signing-key').includes(kept));
      expect(other.ids('signing-key')).not.toContain(refused);
      expect(local.some((e) => e.id === refused)).toBe(false);
      expect(await t.app.get(PrismaService).auditEntry.count({ where: { objectId: refused } })).toBe(0);
    } finally {
      offFirst();
      offSecond();
    }
  });

  it('has the NOTIFY in the transaction: nothing before COMMIT, delivered by the COMMIT itself', async () => {
    const id = `client-${randomUUID()}`;
    const prisma = t.app.get(PrismaService);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let recorded!: () => void;
    const wasRecorded = new Promise<void>((r) => (recorded = r));
    // A caller with its own transaction: record, then hold the transaction open.
    const tx = prisma.$transaction(async (tx) => {
      await t.app.get(ChangeLogService).record(tx, { topic: 'client', id });
      recorded();
      await held;
    });
    await wasRecorded;
    await sleep(200);
    // This process may die here: nothing was announced, and nothing is lost, since nothing committed.
    expect(other.ids('client')).not.toContain(id);
    release();
    await tx;
    await other.until(() => other.ids('client').includes(id));
  });

  it('announces a created consent through the sequencer, not per create', async () => {
    const c = await consumer(t);
    const created = (await createConsent(t, c.auth, consentBody({ to: c.org, resource: w.resource }))) as {
      id: string;
    };
    // The API answered after the numbering committed, so its notification is already on its way.
    await other.until(() => other.ids('consent').includes(created.id));
    const carrying = other.received.filter((n) => n.topic === 'consent' && n.ids?.includes(created.id));
    expect(carrying).toHaveLength(1);
    expect(carrying[0].origin).toBe(ChangeBus.origin);
  });

  it('announces a consent change whose writer died after its commit, within the sequencer poll', async () => {
    const c = await consumer(t);
    const created = (await createConsent(t, c.auth, consentBody({ to: c.org, resource: w.resource }))) as {
      id: string;
    };
    const before = other.ids('consent').filter((id) => id === created.id).length;
    // A writer that committed its change and its event row, then died before it flushed.
    const db = await rawClient(t);
    try {
      await db.query('BEGIN');
      await db.query("UPDATE consent_requests SET status = 'rejected', updated_at = now() WHERE id = $1", [
        created.id,
      ]);
      await db.query(
        `INSERT INTO consent_events (id, consent_request_id, event_type, created_at, performed_by, to_org, handled_by)
         VALUES ($1, $2, 'rejected', now(), NULL, $3, NULL)`,
        [randomUUID(), created.id, c.org],
      );
      await db.query('COMMIT');
    } finally {
      await db.end();
    }
    await other.until(
      () => other.ids('consent').filter((id) => id === created.id).length > before,
      POLL_MS * 4 + 1000,
    );
    expect(local.filter((e) => e.topic === 'consent' && e.id === created.id).length).toBeGreaterThan(0);
  });

  it("delivers another process's notification to this process's subscribers, one per id", async () => {
    const ids = [randomUUID(), randomUUID()];
    const payload = JSON.stringify({ topic: 'consent', ids, origin: randomUUID() });
    await other.client.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, payload]);
    await other.until(() => ids.every((id) => local.some((e) => e.topic === 'consent' && e.id === id)));
  });

  it('keeps one LISTEN connection per app and opens no connection per change', async () => {
    const db = await rawClient(t);
    try {
      const count = async () =>
        (
          await db.query<{ application_name: string; n: number }>(
            `SELECT application_name, count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND application_name LIKE 'consentgw-%' GROUP BY 1`,
          )
        ).rows;
      for (let i = 0; i < 20; i++)
        await t.app
          .get(ChangeLogService)
          .transaction((_tx, record) => record({ topic: 'webhook', id: randomUUID() }));
      const apps = Object.fromEntries((await count()).map((r) => [r.application_name, r.n]));
      expect(apps['consentgw-listen']).toBe(1);
      expect(apps['consentgw-notify']).toBeUndefined();
    } finally {
      await db.end();
    }
  });

  it('announces a batch of many consents in several NOTIFYs of bounded size', async () => {
    const c = await consumer(t);
    const created = (await createConsent(t, c.auth, consentBody({ to: c.org, resource: w.resource }))) as {
      id: string;
    };
    const db = await rawClient(t);
    let ids: string[];
    try {
      // 250 copies of the request, each with a committed, not yet numbered event.
      const results = (await db.query(
        `CREATE TEMP TABLE copies AS SELECT r.* FROM consent_requests r, generate_series(1, 250) WHERE r.id = '${created.id}';
         UPDATE copies SET id = gen_random_uuid();
         INSERT INTO consent_requests SELECT * FROM copies RETURNING id::text`,
      )) as unknown as pg.QueryResult<{ id: string }>[];
      ids = results[2].rows.map((r) => r.id);
      await db.query(
        `INSERT INTO consent_events (id, consent_request_id, event_type, created_at, performed_by, to_org, handled_by)
         SELECT gen_random_uuid(), unnest($1::uuid[]), 'created', now(), NULL, $2, NULL`,
        [ids, c.org],
      );
    } finally {
      await db.end();
    }
    const start = other.received.length;
    await t.app.get(ConsentFeedSequencer).flush();
    await other.until(() => ids.every((id) => other.ids('consent').includes(id)));
    const batch = other.received.slice(start).filter((n) => n.ids?.some((id) => ids.includes(id)));
    expect(batch.length).toBeGreaterThanOrEqual(3); // 100 ids per NOTIFY at most
    for (const n of batch) {
      expect(n.ids!.length).toBeLessThanOrEqual(100);
      expect(JSON.stringify(n).length).toBeLessThan(8000);
    }
  });
});

(process.env.TEST_DATABASE_URL ? describe : describe.skip)('stopping the app', () => {
  it('stops the feed sequencer before the database client disconnects', async () => {
    const t = await createTestApp();
    const w = await consentWorld(t);
    const c = await consumer(t);
    const created = (await createConsent(t, c.auth, consentBody({ to: c.org, resource: w.resource }))) as {
      id: string;
    };
    const db = await rawClient(t);
    try {
      const prisma = t.app.get(PrismaService);
      const sequencer = t.app.get(ConsentFeedSequencer);
      // At the moment Prisma disconnects, ask the sequencer for a run with work pending: a
      // sequencer still running (the old order) would number it on a closing client.
      let numberedAtDisconnect: number | undefined;
      const disconnect = prisma.onModuleDestroy.bind(prisma);
      prisma.onModuleDestroy = async () => {
        await db.query(
          `INSERT INTO consent_events (id, consent_request_id, event_type, created_at, performed_by, to_org, handled_by)
           VALUES ($1, $2, 'rejected', now(), NULL, $3, NULL)`,
          [randomUUID(), created.id, c.org],
        );
        numberedAtDisconnect = await sequencer.flush();
        await disconnect();
      };
      await t.app.close();
      expect(numberedAtDisconnect).toBe(0);
      // The event waits, committed, for the next sequencer run (of any replica).
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM consent_events WHERE consent_request_id = $1 AND seq < 0',
        [created.id],
      );
      expect(rows[0].n).toBe(1);
    } finally {
      await db.end();
      await t.db.stop(); // this test's own database
    }
  });
});
