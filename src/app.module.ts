import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AccessListsModule } from './access-lists/access-lists.module.js';
import { AdminLoginModule } from './admin-login/admin-login.module.js';
import { AccessRequestsModule } from './access-requests/access-requests.module.js';
import { AuditModule } from './audit/audit.module.js';
import { OwnersModule } from './owners/owners.module.js';
import { ResourcesModule } from './resources/resources.module.js';
import { ClientsModule } from './clients/clients.module.js';
import { ConsentsModule } from './consents/consents.module.js';
import { GatewayModule } from './gateway/gateway.module.js';
import { AuthModule } from './common/auth/auth.module.js';
import { EventsModule } from './common/events/events.module.js';
import { loggerParams, type LogDestination } from './common/http/logging.js';
import { MetricsModule } from './common/metrics/metrics.module.js';
import { PagingModule } from './common/paging/paging.module.js';
import { TracingModule } from './common/tracing/tracing.module.js';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';
import { AppConfigModule } from './config/app-config.module.js';
import type { Env } from './config/load-config.js';
import { GuideModule } from './guide/guide.module.js';
import { HealthModule } from './health/health.module.js';
import type { DatabaseConnection } from './prisma/database-connection.js';
import { PortalModule } from './portal/portal.module.js';
import { PrismaModule } from './prisma/prisma.module.js';
import { ScopesModule } from './scopes/scopes.module.js';
import { TokensModule } from './tokens/tokens.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

export interface AppModuleOptions {
  /** The environment to validate instead of the process environment (tests, the OpenAPI generator). */
  env?: Env;
  /** An already-open, migrated database (tests); otherwise opened from config. */
  database?: DatabaseConnection;
  /** Where log lines go instead of stdout (tests that read the log). */
  logDestination?: LogDestination;
}

/**
 * Bounded contexts by layer (docs/architecture.md; test/unit/architecture.spec.ts checks that
 * each imports only lower layers).
 */
const CONTEXT_MODULES = [
  // 0
  AuditModule,
  HealthModule,
  // 1
  OwnersModule,
  ScopesModule,
  // 2
  ResourcesModule,
  ClientsModule,
  AccessListsModule,
  // 3
  ConsentsModule,
  AccessRequestsModule,
  GuideModule,
  // 4
  TokensModule,
  PortalModule,
  WebhooksModule,
  // 5
  GatewayModule,
  AdminLoginModule,
];

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(options.env),
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => loggerParams(config, options.logDestination),
        }),
        PrismaModule.forRoot(options.database),
        MetricsModule,
        EventsModule,
        PagingModule,
        AuthModule,
        TracingModule,
        ...CONTEXT_MODULES,
      ],
    };
  }
}
