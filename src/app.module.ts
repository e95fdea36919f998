import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './common/auth/auth.module.js';
import { EventsModule } from './common/events/events.module.js';
import { loggerParams } from './common/http/logging.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { loadConfig } from './config/load-config.js';
import { HealthModule } from './health/health.module.js';
import type { DatabaseConnection } from './prisma/database-connection.js';
import { PrismaModule } from './prisma/prisma.module.js';
import { TokensModule } from './tokens/tokens.module.js';

export interface AppModuleOptions {
  config?: AppConfig;
  /** An already-open, migrated database (tests); otherwise opened from config. */
  database?: DatabaseConnection;
}

/** Bounded contexts in dependency order (CONVENTIONS: the arrows point one way). */
const CONTEXT_MODULES = [
  // 1
  AuditModule,
  // 2
  // 3
  // 4
  TokensModule,
  // 5
  // operations
  HealthModule,
];

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    const config = options.config ?? loadConfig();
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        PrismaModule.forRoot(options.database),
        EventsModule,
        AuthModule,
        ...CONTEXT_MODULES,
      ],
    };
  }
}
