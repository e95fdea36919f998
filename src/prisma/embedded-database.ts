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

/**
 * PostgreSQL settings of the embedded instance, on top of PGlite's own start parameters. PGlite
 * lives in this process's WebAssembly heap, and PostgreSQL touches all of its shared buffers at
 * start: initdb's default of 128 MB was most of the embedded instance's memory. 32 MB still holds
 * the working set of a small deployment (the bench's whole database is a few MB; reads past it
 * come from the OS page cache). Measured with PGlite alone on a DATA_DIR: 282 → 187 MB RSS idle,
 * 323 → 193 MB after a 100 000-row insert and 300 scans of it. The whole service
 * (bench/embedded.ts, same loaded machine): 412 → 314 MB idle after a restart, 535 → 456 MB after
 * 10 s of consent creation, which ran no slower. (PGlite's wasm memory cannot start below its
 * module's 128 MB minimum.)
 */
const EMBEDDED_SETTINGS = ['-c', 'shared_buffers=32MB'];

export async function startEmbeddedDatabase(dataDir: string | 'memory://'): Promise<EmbeddedDatabase> {
  if (dataDir !== 'memory://') await mkdir(dataDir, { recursive: true });
  // Loaded only here: a service on PostgreSQL never carries PGlite's code in memory.
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
  ]);
  const db = await PGlite.create(dataDir === 'memory://' ? undefined : dataDir, {
    startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS],
  });
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
