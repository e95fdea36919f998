import { loadConfig, ConfigError } from '../config/load-config.js';
import type { AppConfig } from '../config/app-config.js';
import { openDatabase, type DatabaseConnection } from '../prisma/database-connection.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { SigningKeysService } from '../tokens/signing-keys.service.js';
import { TokenSignerService } from '../tokens/token-signer.service.js';

/**
 * What the operator CLIs need, without booting the HTTP app: config, the database (the running
 * service's embedded one when there is one) and the built-in issuer's keys.
 */
export interface CliContext {
  config: AppConfig;
  db: DatabaseConnection;
  prisma: PrismaService;
  keys: SigningKeysService;
  signer: TokenSignerService;
  close(): Promise<void>;
}

export async function openCliContext(): Promise<CliContext> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const db = await openDatabase(config, () => undefined, { reuseRunning: true });
  const prisma = new PrismaService(db);
  await prisma.$connect();
  const keys = new SigningKeysService(prisma, config);
  await keys.ensureKeys();
  return {
    config,
    db,
    prisma,
    keys,
    signer: new TokenSignerService(keys, config),
    async close() {
      await prisma.$disconnect();
      await db.stop();
    },
  };
}

export function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
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
