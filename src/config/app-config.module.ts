/**
 * Configuration through @nestjs/config, as NestJS users expect: `ConfigModule.forRoot` reads the
 * environment and runs our validation (load-config.ts) as its `validate`, once, at boot. A bad
 * value throws ConfigError naming the variable, which main.ts prints before exiting with 1.
 *
 * The result is still one typed object: the validated AppConfig sits in ConfigService under
 * `app` (`config.get('app')`) and is provided as APP_CONFIG, which is what the services inject.
 * Nothing outside src/config/ reads process.env.
 *
 * No `.env` file is read: the process environment is the configuration (the container and
 * docker-compose set it), so `npm start` and the CLIs, which validate the same environment
 * without Nest (cli-context.ts), can never disagree about it.
 */
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_CONFIG, type AppConfig } from './app-config.js';
import { loadConfig, type Env } from './load-config.js';

/** The ConfigService key of the validated configuration. */
export const APP_CONFIG_KEY = 'app';

export interface ValidatedEnvironment {
  [APP_CONFIG_KEY]: AppConfig;
}

/** @nestjs/config's `validate`: the environment in, the typed configuration out (or ConfigError). */
export function validateEnvironment(env: Record<string, unknown>): ValidatedEnvironment {
  const strings: Env = {};
  for (const [name, value] of Object.entries(env)) if (typeof value === 'string') strings[name] = value;
  return { [APP_CONFIG_KEY]: loadConfig(strings) };
}

@Global()
@Module({})
export class AppConfigModule {
  /**
   * `env` is validated instead of process.env when given (tests and the OpenAPI generator boot
   * apps with their own settings without touching the process's environment).
   */
  static async forRoot(env?: Env): Promise<DynamicModule> {
    const nestConfig = await ConfigModule.forRoot({
      ignoreEnvFile: true,
      ignoreEnvVars: env !== undefined,
      validate: env === undefined ? validateEnvironment : () => validateEnvironment(env),
    });
    return {
      module: AppConfigModule,
      imports: [nestConfig],
      providers: [
        {
          provide: APP_CONFIG,
          inject: [ConfigService],
          useFactory: (config: ConfigService<ValidatedEnvironment, true>): AppConfig =>
            config.get(APP_CONFIG_KEY, { infer: true }),
        },
      ],
      exports: [APP_CONFIG, nestConfig],
    };
  }
}
