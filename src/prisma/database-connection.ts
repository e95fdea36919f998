import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { AppConfig } from '../config/app-config.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded-database.js';
import { migrate } from './migrator.js';

/** Where the database is and whether we own it (embedded PGlite) or not (DATABASE_URL). */
export interface DatabaseConnection {
  url: string;
  embedded: boolean;
  /** Pool size for Prisma; PGlite serialises queries anyway. */
  poolMax: number;
  stop(): Promise<void>;
}

export const DATABASE_CONNECTION = Symbol('DATABASE_CONNECTION');

/**
 * A running service that owns the embedded database writes its loopback URL here, so CLIs
 * (`npm run token`, `npm run keys`) connect to it instead of opening the same PGlite data
 * directory a second time (which PGlite does not support).
 */
const SERVER_FILE = 'embedded-server.json';

async function runningEmbeddedUrl(dataDir: string): Promise<string | undefined> {
  try {
    const info = JSON.parse(await readFile(path.join(dataDir, SERVER_FILE), 'utf8')) as {
      url?: string;
      pid?: number;
    };
    if (!info.url || !info.pid) return undefined;
    process.kill(info.pid, 0); // throws when that process is gone
    const c = new pg.Client({ connectionString: info.url, connectionTimeoutMillis: 2000 });
    await c.connect();
    await c.end();
    return info.url;
  } catch {
    return undefined;
  }
}

export async function openDatabase(
  config: AppConfig,
  log: (msg: string) => void = () => undefined,
  options: { reuseRunning?: boolean } = {},
): Promise<DatabaseConnection> {
  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl;
  if (!url && options.reuseRunning) url = await runningEmbeddedUrl(config.dataDir);
  if (!url) {
    embedded = await startEmbeddedDatabase(config.dataDir);
    url = embedded.url;
    log(`embedded PGlite database in ${config.dataDir}`);
    if (!options.reuseRunning && config.dataDir !== 'memory://')
      await writeFile(path.join(config.dataDir, SERVER_FILE), JSON.stringify({ url, pid: process.pid }));
  }
  try {
    await migrate(url, { log });
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  const ownsServerFile = !!embedded && !options.reuseRunning && config.dataDir !== 'memory://';
  return {
    url,
    embedded: !!embedded,
    // One connection on PGlite: pglite-socket interleaves queries of other connections with an
    // open transaction (seen with 0.2.17), so the embedded database gets a single connection.
    poolMax: embedded ? 1 : 10,
    stop: async () => {
      if (ownsServerFile) await rm(path.join(config.dataDir, SERVER_FILE), { force: true });
      await embedded?.stop();
    },
  };
}
