/**
 * The data plane's entry (`npm run start:gateway`, `node dist/gateway-main.js`): the gateway
 * alone, next to the all-in-one service (the control plane) on the same PostgreSQL database.
 * docs/architecture.md ("Two entries") says what it loads and what it leaves out.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError } from './config/load-config.js';
import { DatabaseStartError, maskDatabaseUrl } from './prisma/database-start-error.js';
import { startDataPlane, type DataPlane } from './data-plane/start-data-plane.js';
import { exitOnShutdownSignals } from './common/lifecycle/shutdown-signals.js';

/** Start-up failures whose message is the whole story: printed as one line, no stack trace. */
const EXPLAINED = [ConfigError, DatabaseStartError];

async function bootstrap(): Promise<void> {
  let dataPlane: DataPlane;
  try {
    dataPlane = await startDataPlane();
  } catch (err) {
    if (EXPLAINED.some((type) => err instanceof type)) {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    }
    Logger.flush();
    throw err;
  }
  const { config } = dataPlane;
  new Logger('Main').log(
    `data plane listening on ${dataPlane.url} (/proxy, /health, /metrics), ` +
      `database ${maskDatabaseUrl(config.databaseUrl ?? '')}`,
  );

  exitOnShutdownSignals(() => dataPlane.close(), config.shutdownGraceMs);
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`Failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
