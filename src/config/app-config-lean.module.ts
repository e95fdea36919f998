/**
 * The validated configuration as APP_CONFIG, without @nestjs/config: for the data plane
 * (src/data-plane/), which injects nothing but APP_CONFIG. Same validation (`loadConfig`, which
 * AppConfigModule runs as ConfigModule's `validate`); @nestjs/config itself loads ~450 modules
 * (es-toolkit's `compat` helpers) that the gateway has no use for (issue 22).
 */
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_CONFIG } from './app-config.js';
import { loadConfig, type Env } from './load-config.js';

@Global()
@Module({})
export class AppConfigLeanModule {
  /** `env` is validated instead of process.env when given (tests). */
  static forRoot(env?: Env): DynamicModule {
    return {
      module: AppConfigLeanModule,
      providers: [{ provide: APP_CONFIG, useFactory: () => loadConfig(env ?? process.env) }],
      exports: [APP_CONFIG],
    };
  }
}
