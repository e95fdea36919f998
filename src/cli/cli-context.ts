import { loadConfig, ConfigError } from '../config/load-config.js';
import type { AppConfig } from '../config/app-config.js';
import { openDatabase, type DatabaseConnection } from '../prisma/database-connection.js';
import { DataDirInUseError, type LockRecord } from '../prisma/data-dir-lock.js';
import { DatabaseStartError } from '../prisma/database-start-error.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { SigningKeysService } from '../tokens/signing-keys.service.js';

/**
 * What the operator CLIs need, without booting the HTTP app: config, the database and the
 * built-in issuer's keys. On the embedded database a CLI never opens DATA_DIR behind a running
 * server's back: it uses that server's database (and learns its issuer), or holds DATA_DIR's
 * lock itself for as long as it runs.
 */
export interface CliContext {
  config: AppConfig;
  db: DatabaseConnection;
  /** The server running on DATA_DIR, when there is one. */
  server?: LockRecord;
  prisma: PrismaService;
  keys: SigningKeysService;
  close(): Promise<void>;
}

export function loadCliConfig(): AppConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
}

/** `role` names the CLI in the message a server gets if it starts meanwhile (`npm run keys`). */
export async function openCliContext(role: string, config = loadCliConfig()): Promise<CliContext> {
  const db = await openDatabase(config, () => undefined, { reuseRunning: true, role }).catch(explain);
  const prisma = new PrismaService(db);
  await prisma.$connect();
  const keys = new SigningKeysService(prisma, config);
  await keys.ensureKeys();
  return {
    config,
    db,
    server: db.server,
    prisma,
    keys,
    async close() {
      await prisma.$disconnect();
      await db.stop();
    },
  };
}

/** Errors whose message says what to do end the CLI with that one line. */
export function explain(err: unknown): never {
  if (err instanceof DataDirInUseError || err instanceof DatabaseStartError) fail(err.message);
  throw err;
}

export function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** `-h` / `--help` anywhere: print the usage on stdout and exit 0. */
export function handleHelp(argv: string[], usage: string): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage.trim()}\n`);
    process.exit(0);
  }
}

/** `--name value` / `--name=value` arguments. */
export function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[a.slice(2)] = argv[++i];
    else out[a.slice(2)] = 'true';
  }
  return out;
}
