import {
  Global,
  Inject,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ConfigError } from '../config/load-config.js';
import { DatabaseCircuit } from './database-circuit.js';
import { DATABASE_CONNECTION, openDatabase, type DatabaseConnection } from './database-connection.js';
import { PrismaService } from './prisma.service.js';
import { SqlPool } from './sql-pool.js';

@Global()
@Module({})
export class PrismaModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE_CONNECTION) private readonly connection: DatabaseConnection) {}

  /**
   * `connection` may be handed in (tests share one database per file); otherwise the module
   * opens DATABASE_URL or starts the embedded database, and migrates it, before anything else.
   */
  static forRoot(
    connection?: DatabaseConnection /** `requireUrl`: why DATABASE_URL is required (the ConfigError's text) by an entry that needs it. */,
    options: { requireUrl?: string } = {},
  ): DynamicModule {
    const logger = new Logger('Database');
    return {
      module: PrismaModule,
      providers: [
        connection
          ? { provide: DATABASE_CONNECTION, useValue: { ...connection, stop: async () => undefined } }
          : {
              provide: DATABASE_CONNECTION,
              inject: [APP_CONFIG],
              useFactory: (config: AppConfig) => {
                // An entry that cannot run on the embedded database (the data plane: PGlite's
                // NOTIFY reaches no other process) says so in one line instead of starting it.
                if (options.requireUrl && !config.databaseUrl)
                  throw new ConfigError('DATABASE_URL', options.requireUrl);
                return openDatabase(config, (m) => logger.log(m));
              },
            },
        // One circuit per app: every pool of it fails fast together while the database is down.
        { provide: DatabaseCircuit, useFactory: () => new DatabaseCircuit() },
        PrismaService,
        SqlPool,
      ],
      exports: [DATABASE_CONNECTION, DatabaseCircuit, PrismaService, SqlPool],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection.stop();
  }
}
