import fastifyCookie from '@fastify/cookie';
import { Logger as NestLogger, type INestApplication } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ADMIN_LOGIN_SCHEME } from './common/auth/auth.decorators.js';
import { PLATFORM_SCOPES, SCOPE_DESCRIPTIONS } from './common/auth/scopes.js';
import { SWAGGER_UI_CLIENT_ID } from './config/admin-login-config.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Logger, PARAMS_PROVIDER_TOKEN, type Params } from 'nestjs-pino';
import { ProblemDetailsFilter, sendProblem } from './common/errors/problem-details.filter.js';
import { documentProblems } from './common/errors/problem-docs.js';
import { installBodyParsers } from './common/http/body-parsers.js';
import { answerUnmetExpectations, clientErrorHandler, refuseConnect } from './common/http/client-errors.js';
import { StartupQuietLogger } from './common/http/startup-logger.js';
import { genRequestId } from './common/http/request-id.js';
import { rootLogger } from './common/http/logging.js';
import { installRequestLog } from './common/http/request-log.js';
import { JsonOnlyInterceptor } from './common/http/json-only.interceptor.js';
import { createValidationPipe } from './common/http/validation-pipe.js';
import { frameworkErrorHandler, installRequestTargetGuard } from './common/http/request-target.js';
import type { AppConfig } from './config/app-config.js';
import { BODY_LIMIT_BYTES, HEADERS_CHECK_INTERVAL_MS } from './config/load-config.js';
import { HttpMetrics } from './common/http/http-metrics.js';

/** The Fastify adapter with our server-wide limits (shared by main and every e2e test). */
export function createFastifyAdapter(): FastifyAdapter {
  const options = {
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: genRequestId,
    // Keep-alive connections are closed when idle on shutdown; in-flight requests finish.
    forceCloseConnections: 'idle',
    // Requests arriving while the server closes get 503 problem+json from the request guard.
    return503OnClosing: false,
    allowErrorHandlerOverride: true,
    // ignoreTrailingSlash: Altinn's own clients (its integration tests, its k6 suite) call
    // `…/consentrequests/` and `…/consent/lookup/`, which ASP.NET routes like the bare path; so do
    // we. The gateway's /proxy traffic is dispatched before this router and keeps its exact target.
    routerOptions: { ignoreDuplicateSlashes: false, ignoreTrailingSlash: true, maxParamLength: 500 },
    // Router refusals (bad URL encoding, over-long parameter) as problem+json, not Fastify's JSON.
    frameworkErrors: frameworkErrorHandler,
    // So are the HTTP parser's (request line, header syntax, framing, CL + TE, header size).
    clientErrorHandler,
    // A missing Host is refused by the request-shape check (problem+json), not by Node's bare 400.
    // Node checks for connections past headersTimeout (set from HEADERS_TIMEOUT_MS in configureApp,
    // since the configuration is not loaded yet) only this often; only settable here (RT4-8).
    http: { requireHostHeader: false, connectionsCheckingInterval: HEADERS_CHECK_INTERVAL_MS },
  };
  return new FastifyAdapter(options as never);
}

/** Relative URLs, so the document is the same for every deployment (openapi.json is committed). */
function adminLoginScheme(): Parameters<DocumentBuilder['addOAuth2']>[0] {
  return {
    type: 'oauth2',
    description:
      'Log in as a person holding an administrator role (HADM or ADMAI) for an organisation, choose the ' +
      'organisation, and act for it with a short-lived token (the audit log records the person). ' +
      'Authorization code + PKCE (S256); client id `swagger-ui`.',
    flows: {
      authorizationCode: {
        authorizationUrl: '/authorize',
        tokenUrl: '/token',
        scopes: Object.fromEntries(PLATFORM_SCOPES.map((s) => [s, SCOPE_DESCRIPTIONS[s]])),
      },
    },
  };
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('consent-gateway')
    .setDescription(
      'Altinn 3 consent flow (resource registry, Maskinporten-style scopes, clients and token issuer, ' +
        'consent API, end-user portal) and the API gateway that enforces it. ' +
        'Authenticate with a bearer token from `/token` or `npm run token`, or log in as a person who ' +
        'administers an organisation with **Authorize → admin-login** (authorization code + PKCE).',
    )
    .setVersion('1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addOAuth2(adminLoginScheme(), ADMIN_LOGIN_SCHEME);
  return documentProblems(SwaggerModule.createDocument(app, builder.build()));
}

/**
 * Pipes, filter, body parsers, Swagger and hooks: everything main.ts and the e2e tests share,
 * so tests exercise exactly what production runs.
 */
export async function configureApp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  app.useLogger(new StartupQuietLogger(app.get(Logger)));
  app.flushLogs(); // what main buffered before pino took over
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  // DESIGN §10: request-target hygiene first, for every route (absolute-form, traversal → 400).
  installRequestTargetGuard(fastify);
  // RT4-8: a client trickling header lines is cut (408) once the header block is this late; a
  // body is not capped here (uploads stream; the idle timeout bounds a stalled one).
  fastify.server.headersTimeout = config.headersTimeoutMs;
  answerUnmetExpectations(fastify.server);
  refuseConnect(fastify.server);

  // JSON and forms (portal, /token) through our parsers: UTF-8 and storable text only (DESIGN §11).
  // JSON APIs take JSON only: a text/plain body is 415, not a string handed to validation.
  installBodyParsers(app, config.bodyLimitBytes);
  fastify.removeContentTypeParser('text/plain');
  await app.register(fastifyCookie as never);

  app.useGlobalPipes(createValidationPipe(config));
  app.useGlobalInterceptors(new JsonOnlyInterceptor(app.get(Reflector)));
  app.useGlobalFilters(new ProblemDetailsFilter());

  // Errors raised by Fastify itself (body parsing, size limit, media type) never reach Nest's
  // filters: answer them as problem+json too. Unknown routes go through Nest's own not-found
  // handler, which throws NotFoundException into the global filter.
  const errorLogger = new NestLogger('Http');
  fastify.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) =>
    sendProblem(reply, req, err, errorLogger),
  );
  // Fastify gives each route the error handler in force when the route is added, so every route
  // Nest maps in app.init gets this one. Nest then installs a handler of its own, which no route
  // would use and which only makes Fastify warn about the override (FSTWRN004): skip it.
  (app.getHttpAdapter() as unknown as { setErrorHandler: () => void }).setErrorHandler = () => undefined;

  installRequestLog(fastify, rootLogger(app.get<Params>(PARAMS_PROVIDER_TOKEN)));
  const { requestDuration } = app.get(HttpMetrics);
  fastify.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = req.routeOptions?.url ?? 'unmatched';
    requestDuration.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });

  // Swagger UI keeps the admin login's token (persistAuthorization: localStorage), and a page
  // that frames it could make the administrator click "Try it out" → "Execute": never framed
  // (RT2-2, docs/security.md). Only framing is restricted; Swagger UI's own scripts are untouched.
  fastify.addHook('onSend', (req: FastifyRequest, reply: FastifyReply, payload: unknown, done) => {
    const path = req.url.split('?')[0];
    if (path === '/docs' || path.startsWith('/docs/')) {
      void reply.header('x-frame-options', 'DENY');
      if (!reply.hasHeader('content-security-policy'))
        void reply.header('content-security-policy', "frame-ancestors 'none'");
    }
    done(null, payload);
  });

  // Built on the first request for it, not at boot: the document and the scan that builds it
  // are only for the people reading /docs (issue 22: the gateway's memory after start).
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: {
      persistAuthorization: true,
      oauth2RedirectUrl: `${config.publicUrl}/docs/oauth2-redirect.html`,
      // The admin login's registered public client; PKCE instead of a secret (issue 20).
      initOAuth: { clientId: SWAGGER_UI_CLIENT_ID, usePkceWithAuthorizationCodeGrant: true },
    },
  });
}
