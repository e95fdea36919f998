import { createServer } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../../src/app.module.js';
import { configureApp, createFastifyAdapter } from '../../src/app.setup.js';
import { APP_CONFIG, type AppConfig } from '../../src/config/app-config.js';
import type { LogDestination } from '../../src/common/http/logging.js';
import type { DatabaseConnection } from '../../src/prisma/database-connection.js';
import { createTestDatabase } from './database.js';

export interface TestApp {
  app: NestFastifyApplication;
  /** Base URL of the listening server, e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string;
  config: AppConfig;
  db: DatabaseConnection;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface TestAppOptions {
  /** Extra environment for loadConfig (e.g. TRUSTED_ISSUERS). */
  env?: Record<string, string>;
  /** Share a database with another app (two replicas on one database). */
  db?: DatabaseConnection;
  /** Where the app's log lines go instead of stdout (tests that read the log). */
  logDestination?: LogDestination;
}

/**
 * The settings production mode requires (NODE_ENV=production refuses to start without them): the
 * database the app runs on, and a key-encryption secret for its signing keys.
 */
export function productionEnv(db: DatabaseConnection): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: db.url,
    KEY_ENCRYPTION_SECRET: 'production-test-key-encryption-secret',
  };
}

/**
 * Boots the real AppModule through configureApp on a real port against a fresh database
 * (real PostgreSQL when TEST_DATABASE_URL is set, otherwise PGlite). Nothing is mocked.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownDb = !options.db;
  const db = options.db ?? (await createTestDatabase());
  // freePort() only proposes a port: in parallel Jest workers another process may bind it before
  // we listen, so try again on EADDRINUSE with a fresh one.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const env = {
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      EXPIRY_SWEEP_INTERVAL_MS: '200',
      WEBHOOK_POLL_INTERVAL_MS: '100',
      ...options.env,
    };
    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot({ env, database: db, logDestination: options.logDestination }),
      createFastifyAdapter(),
      { logger: false },
    );
    const config = app.get<AppConfig>(APP_CONFIG);
    await configureApp(app, config);
    try {
      await app.listen(port, '127.0.0.1');
    } catch (err) {
      await app.close();
      if ((err as { code?: string }).code === 'EADDRINUSE' && attempt < 5) continue;
      if (ownDb) await db.stop();
      throw err;
    }
    return {
      app,
      url: `http://127.0.0.1:${port}`,
      config,
      db,
      async close() {
        await app.close();
        if (ownDb) await db.stop();
      },
    };
  }
}
