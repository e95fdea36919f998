import { mkdir } from 'node:fs/promises';

/**
 * The embedded default (DESIGN §2): PGlite with its data in DATA_DIR, served over the
 * PostgreSQL wire protocol on a loopback port so the very same Prisma/pg code path runs as in
 * production. `memory://` gives a throw-away database (tests).
 */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedDatabase(dataDir: string | 'memory://'): Promise<EmbeddedDatabase> {
  if (dataDir !== 'memory://') await mkdir(dataDir, { recursive: true });
  // Loaded only here: a service on PostgreSQL never carries PGlite's code in memory.
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
  ]);
  const db = await PGlite.create(dataDir === 'memory://' ? undefined : dataDir);
  // Queries from all connections are serialised by pglite-socket; several connections keep
  // the pool and the LISTEN client from blocking each other outside transactions.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 32 });
  await server.start();
  const conn = server.getServerConn(); // "127.0.0.1:<port>"
  return {
    url: `postgresql://postgres:postgres@${conn}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
