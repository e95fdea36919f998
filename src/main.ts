import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { configureApp, createFastifyAdapter } from './app.setup.js';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';
import { ConfigError } from './config/load-config.js';
import { DATABASE_CONNECTION, type DatabaseConnection } from './prisma/database-connection.js';
import { DataDirInUseError } from './prisma/data-dir-lock.js';
import { DatabaseStartError, maskDatabaseUrl } from './prisma/database-start-error.js';
import { exitOnShutdownSignals } from './common/lifecycle/shutdown-signals.js';

/** Start-up failures whose message is the whole story: printed as one line, no stack trace. */
const EXPLAINED = [ConfigError, DataDirInUseError, DatabaseStartError];

/** The one line an operator needs at start: where it listens and where its parts are. */
function startupLine(config: AppConfig, port: number, db: DatabaseConnection): string {
  const base = config.publicUrl;
  const database = db.embedded
    ? `embedded PGlite in ${config.dataDir}`
    : maskDatabaseUrl(config.databaseUrl ?? db.url);
  return (
    `listening on http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}, ` +
    `docs ${base}/docs, portal ${base}/consent/active, database ${database}`
  );
}

async function bootstrap(): Promise<void> {
  let app: NestFastifyApplication;
  try {
    // The configuration is validated by AppConfigModule (@nestjs/config's `validate`) while the
    // app is built. Logs are buffered until pino takes over (configureApp), and a bad
    // configuration prints its one line instead of Nest's stack trace.
    app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(), createFastifyAdapter(), {
      bufferLogs: true,
      autoFlushLogs: false,
      abortOnError: false,
    });
  } catch (err) {
    if (EXPLAINED.some((type) => err instanceof type)) {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    }
    Logger.flush();
    throw err;
  }
  const config = app.get<AppConfig>(APP_CONFIG);
  await configureApp(app, config);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // The DATA_DIR lock now names the port (PORT=0 picks one), for the next one who tries.
  const db = app.get<DatabaseConnection>(DATABASE_CONNECTION);
  await db.lock?.update({ port });
  new Logger('Main').log(startupLine(config, port, db));

  exitOnShutdownSignals(() => app.close(), config.shutdownGraceMs);
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`Failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
