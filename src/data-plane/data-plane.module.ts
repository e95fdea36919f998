/**
 * The data plane's Nest application context: the gateway's providers and exactly the providers
 * they depend on, listed here rather than by importing the contexts' modules. A context module
 * brings its controllers, and with them DTOs, Swagger decorators and validators the proxy never
 * uses (issue 22: a whole app's modules on the heap cost the gateway memory and CPU). The
 * classes are the same ones the all-in-one service runs (src/gateway's checks are shared, not
 * copied); only the composition differs. No HTTP adapter, no controllers, no global guard:
 * data-plane-server.ts serves /proxy, health and metrics on node:http.
 */
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AccessListChanges } from '../access-lists/access-list-changes.js';
import { AccessListCheckService } from '../access-lists/access-list-check.service.js';
import { AccessListOwnerGate } from '../access-lists/access-list-owner.gate.js';
import { AccessListsRepository } from '../access-lists/access-lists.repository.js';
import { AccessListsService } from '../access-lists/access-lists.service.js';
import { AuditService } from '../audit/audit.service.js';
import { ChangeLogService } from '../audit/change-log.service.js';
import { AuthMetrics } from '../common/auth/auth-metrics.js';
import { AUTH_CLOCK, systemClock } from '../common/auth/clock.js';
import { ISSUER_KEY_SOURCE } from '../common/auth/issuer-key-source.js';
import { TokenVerifier } from '../common/auth/token-verifier.js';
import { TrustedIssuerRegistry } from '../common/auth/trusted-issuer-registry.js';
import { EventsModule } from '../common/events/events.module.js';
import { loggerParams, type LogDestination } from '../common/http/logging.js';
import { MetricsRegistry } from '../common/metrics/metrics-registry.js';
import { PagingModule } from '../common/paging/paging.module.js';
import { TracingModule } from '../common/tracing/tracing.module.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { AppConfigLeanModule } from '../config/app-config-lean.module.js';
import type { Env } from '../config/load-config.js';
import { ConsentEventsRepository } from '../consents/consent-events.repository.js';
import { ConsentEventsService } from '../consents/consent-events.service.js';
import { ConsentFeedRepository } from '../consents/consent-feed.repository.js';
import { ConsentFeedSequencer } from '../consents/consent-feed.sequencer.js';
import { ConsentMetrics } from '../consents/consent-metrics.js';
import { ConsentVersionsService } from '../consents/consent-versions.service.js';
import { ConsentsService } from '../consents/consents.service.js';
import { GATEWAY_RUNTIME_PROVIDERS } from '../gateway/gateway-runtime.providers.js';
import type { DatabaseConnection } from '../prisma/database-connection.js';
import { PrismaModule } from '../prisma/prisma.module.js';
import { ResourcePoliciesService } from '../resources/resource-policies.service.js';
import { ResourcesService } from '../resources/resources.service.js';
import { IssuerPublicKeys } from './issuer-public-keys.js';

export interface DataPlaneModuleOptions {
  /** The environment to validate instead of the process environment (tests). */
  env?: Env;
  /** An already-open, migrated database (tests); otherwise DATABASE_URL. */
  database?: DatabaseConnection;
  /** Where log lines go instead of stdout (tests that read the log). */
  logDestination?: LogDestination;
}

/** Why DATABASE_URL is required: gateway-main.ts prints it as one line when it is missing. */
export const DATABASE_URL_REQUIRED =
  "is required by the data plane (gateway-main): it shares the control plane's PostgreSQL " +
  'database and change notifications, and embedded PGlite delivers NOTIFY to no other process';

/** The token verifier without the global guard (no controllers here) and with read-only issuer keys. */
const AUTH: Provider[] = [
  { provide: AUTH_CLOCK, useValue: systemClock },
  { provide: ISSUER_KEY_SOURCE, useClass: IssuerPublicKeys },
  AuthMetrics,
  TrustedIssuerRegistry,
  TokenVerifier,
];

/** What GatewayProxyService needs of the lower contexts (their services, not their modules). */
const CONTEXTS: Provider[] = [
  // audit (layer 0): consent state reads record nothing, but the services' constructors want them.
  AuditService,
  ChangeLogService,
  // resources (2)
  ResourcesService,
  ResourcePoliciesService,
  // access lists (2)
  AccessListsRepository,
  AccessListOwnerGate,
  AccessListChanges,
  AccessListCheckService,
  AccessListsService,
  // consents (3): the one-time claim marks a consent used through ConsentsService.
  ConsentsService,
  ConsentVersionsService,
  ConsentEventsService,
  ConsentEventsRepository,
  ConsentFeedSequencer,
  ConsentFeedRepository,
  ConsentMetrics,
];

@Module({})
export class DataPlaneModule {
  static forRoot(options: DataPlaneModuleOptions = {}): DynamicModule {
    return {
      module: DataPlaneModule,
      imports: [
        AppConfigLeanModule.forRoot(options.env),
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => loggerParams(config, options.logDestination),
        }),
        PrismaModule.forRoot(options.database, { requireUrl: DATABASE_URL_REQUIRED }),
        EventsModule,
        PagingModule,
        TracingModule,
      ],
      providers: [MetricsRegistry, ...AUTH, ...CONTEXTS, ...GATEWAY_RUNTIME_PROVIDERS],
      exports: [],
    };
  }
}
