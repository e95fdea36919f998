/**
 * AuthModule wired into a real Nest + Fastify app: global guard via APP_GUARD, the key source
 * injected through ISSUER_KEY_SOURCE from another (global) module, @CurrentPrincipal, and the
 * OpenAPI metadata @RequireScopes produces. A tiny filter stands in for the lead's problem filter.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Catch,
  Controller,
  Get,
  Global,
  Logger,
  Module,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import type { FastifyReply } from 'fastify';
import { generateKeyPairSync, sign } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { DomainError } from '../errors/domain-error.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { AuthModule } from './auth.module.js';
import {
  ADMIN_LOGIN_SCHEME,
  CurrentPrincipal,
  Public,
  RequireAnyScope,
  RequireScopes,
} from './auth.decorators.js';
import { AUTH_CLOCK } from './clock.js';
import { ISSUER_KEY_SOURCE, type IssuerKeySource } from './issuer-key-source.js';
import type { Principal } from './principal.js';
import { TrustedIssuerRegistry } from './trusted-issuer-registry.js';

const ISSUER = 'http://gw.test/';
const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...key.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' };
const NOW = Date.UTC(2030, 0, 1);

function token(scope: string): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const iat = NOW / 1000;
  const input = `${b64({ alg: 'RS256', kid: 'k1', typ: 'at+jwt' })}.${b64({
    iss: ISSUER,
    iat,
    exp: iat + 120,
    scope,
    consumer: { authority: 'iso6523-actorid-upis', ID: '0192:974760673' },
  })}`;
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

@Controller('t')
class TestController {
  @Public() @Get('open') open() {
    return { ok: true };
  }
  @Get('me') me(@CurrentPrincipal() p: Principal) {
    return { consumer: p.consumer, builtIn: p.builtIn };
  }
  @RequireScopes('skd:inntekt') @Get('scoped') scoped(@CurrentPrincipal() p: Principal) {
    return { scope: p.scope };
  }
  @RequireAnyScope('consentgw:admin', 'owner') @Get('any') any() {
    return { ok: true };
  }
}

@Catch(DomainError)
class TestProblemFilter implements ExceptionFilter {
  catch(e: DomainError, host: ArgumentsHost) {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply
      .status(e.status)
      .headers(e.headers ?? {})
      .type('application/problem+json')
      .send({ status: e.status, code: e.code, detail: e.detail });
  }
}

/** Stands in for the tokens module: provides the built-in keys globally. */
@Global()
@Module({
  providers: [
    {
      provide: ISSUER_KEY_SOURCE,
      useValue: { getPublicJwks: async () => ({ keys: [jwk] }) } satisfies IssuerKeySource,
    },
    {
      provide: APP_CONFIG,
      useValue: {
        publicUrl: 'http://gw.test',
        trustedIssuers: [],
        jwksTtlSeconds: 300,
        jwksMaxStaleSeconds: 86400,
        jwksFetchTimeoutMs: 1000,
        jwksMaxBytes: 65536,
        jwksMinRefreshIntervalSeconds: 30,
        maxTokenLifetimeSeconds: 3600,
        clockSkewSeconds: 30,
        maxTokenBytes: 8192,
      } as Partial<AppConfig> as AppConfig,
    },
  ],
  exports: [ISSUER_KEY_SOURCE, APP_CONFIG],
})
class FakeTokensModule {}

describe('AuthModule in a Fastify app', () => {
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    const moduleRef = await Test.createTestingModule({
      imports: [FakeTokensModule, MetricsModule, AuthModule],
      controllers: [TestController],
      providers: [{ provide: APP_FILTER, useClass: TestProblemFilter }],
    })
      .overrideProvider(AUTH_CLOCK)
      .useValue(() => NOW)
      .compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    // app.inject (light-my-request) cannot be loaded by Jest on Node 20; use a real socket.
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
  });

  const get = async (url: string, authorization?: string) => {
    const res = await fetch(base + url, { headers: authorization ? { authorization } : {} });
    const body = await res.text();
    return {
      statusCode: res.status,
      headers: Object.fromEntries(res.headers),
      body,
      json: () => JSON.parse(body) as Record<string, unknown>,
    };
  };

  it('serves @Public() routes without a token', async () => {
    const res = await get('/t/open');
    expect(res.statusCode).toBe(200);
  });

  it('answers 401 problem+json with WWW-Authenticate when the token is missing', async () => {
    const res = await get('/t/me');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="consent-gateway"');
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'AUTH-00401' });
  });

  it('answers 401 invalid_token for a bad token and never echoes it', async () => {
    const bad = token('x').slice(0, -4) + 'AAAA';
    const res = await get('/t/me', `Bearer ${bad}`);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(res.body).not.toContain(bad.split('.')[1]);
  });

  it('verifies a built-in token with keys from ISSUER_KEY_SOURCE and injects the principal', async () => {
    const res = await get('/t/me', `Bearer ${token('')}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ consumer: '974760673', builtIn: true });
  });

  it('enforces @RequireScopes with 403 insufficient_scope', async () => {
    expect((await get('/t/scoped', `Bearer ${token('skd:inntekt')}`)).json()).toEqual({
      scope: 'skd:inntekt',
    });
    const res = await get('/t/scoped', `Bearer ${token('skd:other')}`);
    expect(res.statusCode).toBe(403);
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope", scope="skd:inntekt"');
    expect(res.json()).toMatchObject({ code: 'AUTH-00403' });
  });

  it('enforces @RequireAnyScope', async () => {
    expect((await get('/t/any', `Bearer ${token('owner')}`)).statusCode).toBe(200);
    expect((await get('/t/any', `Bearer ${token('skd:inntekt')}`)).statusCode).toBe(403);
  });

  it('exposes issuer status through TrustedIssuerRegistry', () => {
    const status = app.get(TrustedIssuerRegistry).status();
    expect(status).toEqual([expect.objectContaining({ issuer: ISSUER, builtIn: true, state: 'ok' })]);
  });

  it('documents bearer auth and required scopes in OpenAPI', () => {
    const doc = SwaggerModule.createDocument(app, new DocumentBuilder().addBearerAuth().build());
    const scoped = doc.paths['/t/scoped'].get!;
    // Bearer, or the admin login (OAuth2 code + PKCE) asking for the operation's scopes.
    expect(scoped.security).toEqual([{ bearer: [] }, { [ADMIN_LOGIN_SCHEME]: ['skd:inntekt'] }]);
    expect((scoped as unknown as Record<string, unknown>)['x-required-scopes']).toEqual(['skd:inntekt']);
    expect(scoped.responses['401']).toBeDefined();
    expect(JSON.stringify(scoped.responses['403'])).toContain('skd:inntekt');
    const any = doc.paths['/t/any'].get! as unknown as Record<string, unknown>;
    expect(any['x-required-any-scope']).toEqual(['consentgw:admin', 'owner']);
    expect(doc.paths['/t/open'].get!.security).toBeUndefined();
  });
});
