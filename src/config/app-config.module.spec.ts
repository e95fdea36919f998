import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable, Inject, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from './app-config.js';
import { APP_CONFIG_KEY, AppConfigModule, validateEnvironment } from './app-config.module.js';
import { ConfigError } from './load-config.js';

@Injectable()
class NeedsConfig {
  constructor(@Inject(APP_CONFIG) readonly config: AppConfig) {}
}

@Module({ providers: [NeedsConfig] })
class Feature {}

async function boot(env?: Record<string, string>) {
  return NestFactory.createApplicationContext(
    { module: class Root {}, imports: [AppConfigModule.forRoot(env), Feature] },
    { logger: false, abortOnError: false },
  );
}

describe('AppConfigModule (@nestjs/config)', () => {
  const saved = process.env.JWKS_TTL_SECONDS;
  afterEach(() => {
    if (saved === undefined) delete process.env.JWKS_TTL_SECONDS;
    else process.env.JWKS_TTL_SECONDS = saved;
  });

  it('provides one typed configuration, the same object through APP_CONFIG and ConfigService', async () => {
    const app = await boot({ PORT: '9123', PUBLIC_URL: 'https://consent.example/' });
    const config = app.get<AppConfig>(APP_CONFIG);
    expect(config.port).toBe(9123);
    expect(config.publicUrl).toBe('https://consent.example');
    expect(app.get(NeedsConfig).config).toBe(config);
    expect(app.get(ConfigService).get(APP_CONFIG_KEY)).toBe(config);
    await app.close();
  });

  it('validates process.env when no environment is given', async () => {
    process.env.JWKS_TTL_SECONDS = '42';
    const app = await boot();
    expect(app.get<AppConfig>(APP_CONFIG).jwksTtlSeconds).toBe(42);
    await app.close();
  });

  it('refuses a bad variable at boot with a ConfigError naming it', async () => {
    await expect(boot({ PORT: 'abc' })).rejects.toThrow(ConfigError);
    await expect(boot({ PORT: 'abc' })).rejects.toThrow(/PORT/);
    await expect(boot({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://x/y' })).rejects.toThrow(
      /KEY_ENCRYPTION_SECRET/,
    );
  });

  it('writes nothing back into process.env', async () => {
    const before = { ...process.env };
    await (await boot({ PORT: '9124', LOG_LEVEL: 'warn' })).close();
    expect(process.env).toEqual(before);
  });

  it('validates the string variables only (what @nestjs/config hands it may hold more)', () => {
    expect(validateEnvironment({ PORT: '1234', SOMETHING: undefined, OTHER: 5 }).app.port).toBe(1234);
  });
});
