import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_ORG } from '../factories/registry.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { bearer } from '../helpers/tokens.js';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';

/**
 * A TCP relay between the app and its database that the test can cut and restore, so we can
 * see the real behaviour of a database outage (DESIGN §6: 503 with Retry-After, recovery
 * without restart; §10: readiness is 503 only when the database is down).
 */
class CuttableRelay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(port = 0): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      this.sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
  }

  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

describe('database outage', () => {
  let db: DatabaseConnection;
  let relay: CuttableRelay;
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url);
    relay = new CuttableRelay(target.hostname, Number(target.port || 5432));
    await relay.start();
    const viaRelay = new URL(db.url);
    viaRelay.host = `127.0.0.1:${relay.port}`;
    t = await createTestApp({ db: { ...db, url: viaRelay.toString(), stop: async () => undefined } });
    admin = await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' });
  });

  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await relay?.cut().catch(() => undefined);
    await db?.stop();
  });

  it('answers 503 with Retry-After while the database is down and recovers without a restart', async () => {
    const ok = await fetch(`${t.url}/admin/v1/owners`, { headers: { authorization: admin } });
    expect(ok.status).toBe(200);

    await relay.cut();
    const down = await fetch(`${t.url}/admin/v1/owners`, { headers: { authorization: admin } });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBeTruthy();
    expect(down.headers.get('content-type')).toContain('application/problem+json');
    const body = (await down.json()) as Record<string, unknown>;
    expect(body.status).toBe(503);
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|at .*\.ts|SELECT/);

    const notReady = await fetch(`${t.url}/health/ready`);
    expect(notReady.status).toBe(503);
    const live = await fetch(`${t.url}/health/live`);
    expect(live.status).toBe(200);

    await relay.start(relay.port);
    let recovered = 0;
    for (let i = 0; i < 50 && recovered !== 200; i++) {
      recovered = (await fetch(`${t.url}/admin/v1/owners`, { headers: { authorization: admin } })).status;
      if (recovered !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(recovered).toBe(200);
    expect((await fetch(`${t.url}/health/ready`)).status).toBe(200);
  });
});
