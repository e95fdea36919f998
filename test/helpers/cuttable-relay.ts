import { createServer, connect, type Server, type Socket } from 'node:net';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';
import { createTestApp, type TestApp } from './app.js';
import { createTestDatabase } from './database.js';

/**
 * A TCP relay between the app and its database that the test can cut and restore, so we can
 * see the real behaviour of a database outage (DESIGN §6: 503 with Retry-After, recovery
 * without restart; §10: readiness is 503 only when the database is down).
 */
export class CuttableRelay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  /** Client-side sockets and their upstream, for holding what clients send. */
  private readonly pairs = new Map<Socket, Socket>();
  private holding = false;
  port = 0;
  /** Connections accepted so far: the app's connection attempts. */
  connections = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(port = 0): Promise<void> {
    this.server = createServer((client) => {
      this.connections++;
      const upstream = connect(this.targetPort, this.targetHost);
      this.sockets.add(client).add(upstream);
      this.pairs.set(client, upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
        this.pairs.delete(client);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      upstream.pipe(client);
      if (!this.holding) client.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
  }

  /**
   * Stop passing on what the app sends (its queries wait in the relay) while the database's
   * answers still get through: a session terminated now fails the query in flight.
   */
  hold(): void {
    this.holding = true;
    for (const [client, upstream] of this.pairs) client.unpipe(upstream).pause();
  }

  release(): void {
    this.holding = false;
    for (const [client, upstream] of this.pairs) client.pipe(upstream);
  }

  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

export interface AppBehindRelay {
  db: DatabaseConnection;
  relay: CuttableRelay;
  t: TestApp;
  close(): Promise<void>;
}

/** A test app whose database connections all pass through a relay the test can cut. */
export async function appBehindRelay(): Promise<AppBehindRelay> {
  const db = await createTestDatabase();
  const target = new URL(db.url);
  const relay = new CuttableRelay(target.hostname, Number(target.port || 5432));
  await relay.start();
  const viaRelay = new URL(db.url);
  viaRelay.host = `127.0.0.1:${relay.port}`;
  const t = await createTestApp({ db: { ...db, url: viaRelay.toString(), stop: async () => undefined } });
  return {
    db,
    relay,
    t,
    async close() {
      await t.close().catch(() => undefined);
      await relay.cut().catch(() => undefined);
      await db.stop();
    },
  };
}
