import { mkdir } from 'node:fs/promises';
import pg from 'pg';
import type { AppConfig } from '../config/app-config.js';
import { DataDirInUseError, DataDirLock, type LockRecord } from './data-dir-lock.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded-database.js';
import { migrate } from './migrator.js';
import { DatabaseStartError } from './database-start-error.js';

/** Where the database is and whether we own it (embedded PGlite) or not (DATABASE_URL). */
export interface DatabaseConnection {
  url: string;
  embedded: boolean;
  /** Pool size for Prisma; PGlite serialises queries anyway. */
  poolMax: number;
  /** The DATA_DIR lock this process holds (embedded database on disk). */
  lock?: DataDirLock;
  /** A CLI sharing a running server's embedded database: that server's lock record. */
  server?: LockRecord;
  stop(): Promise<void>;
}

export const DATABASE_CONNECTION = Symbol('DATABASE_CONNECTION');

export interface OpenDatabaseOptions {
  /** A CLI: use the running server's embedded database instead of failing when DATA_DIR is held. */
  reuseRunning?: boolean;
  /** Who takes the lock, for the message another process gets (`npm run token`). */
  role?: string;
}

/** How long a CLI waits for a server that holds DATA_DIR but has not published its database yet. */
const SERVER_STARTING_WAIT_MS = 20_000;

async function answers(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    await c.end().catch(() => undefined);
    return false;
  }
}

/**
 * DATA_DIR for this process: held (we start PGlite in it) or a running server's database to
 * share (CLIs only). A server never waits and never touches a held directory.
 */
async function claimDataDir(
  config: AppConfig,
  options: OpenDatabaseOptions,
): Promise<{ lock: DataDirLock } | { server: LockRecord }> {
  const dataDir = config.dataDir;
  await mkdir(dataDir, { recursive: true });
  const who = options.reuseRunning
    ? { role: options.role ?? 'cli' }
    : { role: 'server', port: config.port, issuer: `${config.publicUrl}/`, publicUrl: config.publicUrl };
  const deadline = Date.now() + SERVER_STARTING_WAIT_MS;
  for (;;) {
    const outcome = await DataDirLock.acquire(dataDir, who);
    if ('held' in outcome) return { lock: outcome.held };
    const holder = outcome.busy;
    if (!options.reuseRunning) throw new DataDirInUseError(dataDir, holder);
    if (holder.url && (await answers(holder.url))) return { server: holder };
    // A server still starting PGlite, or another CLI for a moment: wait for it, within reason.
    if (Date.now() > deadline) throw new DataDirInUseError(dataDir, holder);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function openDatabase(
  config: AppConfig,
  log: (msg: string) => void = () => undefined,
  options: OpenDatabaseOptions = {},
): Promise<DatabaseConnection> {
  let embedded: EmbeddedDatabase | undefined;
  let lock: DataDirLock | undefined;
  let server: LockRecord | undefined;
  let url = config.databaseUrl;
  if (!url && config.dataDir !== 'memory://') {
    const claim = await claimDataDir(config, options);
    if ('server' in claim) {
      server = claim.server;
      url = server.url;
    } else lock = claim.lock;
  }
  if (!url) {
    try {
      embedded = await startEmbeddedDatabase(config.dataDir);
    } catch (err) {
      await lock?.release();
      throw err;
    }
    url = embedded.url;
    await lock?.update({ url });
  }
  try {
    await migrate(url, { log });
  } catch (err) {
    await embedded?.stop();
    await lock?.release();
    throw config.databaseUrl ? DatabaseStartError.from(config.databaseUrl, err) : err;
  }
  return {
    url,
    embedded: !!embedded,
    // One connection on PGlite: pglite-socket interleaves queries of other connections with an
    // open transaction (seen with 0.2.17), so the embedded database gets a single connection.
    poolMax: embedded || server ? 1 : 10,
    lock,
    server,
    stop: async () => {
      await embedded?.stop();
      await lock?.release();
    },
  };
}
