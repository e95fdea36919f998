import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { TestApp } from '../helpers/app.js';
import { appBehindRelay, type AppBehindRelay, type CuttableRelay } from '../helpers/cuttable-relay.js';
import {
  CONSENT_PATH,
  consentBody,
  consentWorld,
  http,
  type ConsentWorld,
} from '../factories/consent-fixtures.js';

/**
 * On PostgreSQL a create runs on the app's private pool (SqlPool, via consent-create.repository.ts),
 * not Prisma's: it must fail the same way (DESIGN §6: 503 with Retry-After, nothing written)
 * and recover without a restart. Embedded PGlite creates through Prisma, covered elsewhere.
 */
const describeOnPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

describeOnPostgres('creating a consent request while the database is down', () => {
  let env: AppBehindRelay;
  let relay: CuttableRelay;
  let t: TestApp;
  let w: ConsentWorld;

  beforeAll(async () => {
    env = await appBehindRelay();
    ({ relay, t } = env);
    w = await consentWorld(t);
  });

  afterAll(async () => {
    await env?.close();
  });

  /** Rows of one consent id, read past the relay. */
  async function rowsOf(id: string): Promise<{ requests: number; events: number; audit: number }> {
    const c = new pg.Client({ connectionString: env.db.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ requests: string; events: string; audit: string }>(
        `SELECT (SELECT count(*) FROM consent_requests WHERE id = $1::uuid) AS requests,
                (SELECT count(*) FROM consent_events WHERE consent_request_id = $1::uuid) AS events,
                (SELECT count(*) FROM audit_log WHERE object_type = 'consent' AND object_id = $2) AS audit`,
        [id, id],
      );
      return {
        requests: Number(rows[0].requests),
        events: Number(rows[0].events),
        audit: Number(rows[0].audit),
      };
    } finally {
      await c.end();
    }
  }

  it('answers 503 with Retry-After, writes nothing, and creates once the database is back', async () => {
    const body = () => consentBody({ to: w.consumer.org, resource: w.resource, id: randomUUID() });
    // A create before the outage, so the create pool holds a connection that the cut breaks.
    const warm = await http(t, 'POST', CONSENT_PATH, w.consumer.auth, body());
    expect(warm.status).toBe(201);

    const payload = body();
    const id = payload.id as string;
    await relay.cut();
    const down = await http(t, 'POST', CONSENT_PATH, w.consumer.auth, payload);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBeTruthy();
    expect(down.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(down.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|INSERT|consent_requests/);
    expect(await rowsOf(id)).toEqual({ requests: 0, events: 0, audit: 0 });

    await relay.start(relay.port);
    let status = 0;
    for (let i = 0; i < 50 && status !== 201; i++) {
      status = (await http(t, 'POST', CONSENT_PATH, w.consumer.auth, payload)).status;
      if (status !== 201) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(201);
    expect(await rowsOf(id)).toEqual({ requests: 1, events: 1, audit: 1 });
  });
});
