/**
 * The data plane (`dist/gateway-main.js`): `ANY /proxy/{name}/{path}` plus /health/live,
 * /health/ready and /metrics, on node:http directly, over a Nest application context of the
 * gateway's providers only (data-plane.module.ts). It shares the database and the NOTIFY change
 * path with the control plane (the all-in-one service) exactly as replicas of the service do:
 * an API, revocation or access-list change made through the control plane reaches it on the
 * next request. Exported so the e2e tests start it in-process, as they start the service.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { TrustedIssuerRegistry } from '../common/auth/trusted-issuer-registry.js';
import { answerUnmetExpectations, clientErrorHandler, refuseConnect } from '../common/http/client-errors.js';
import { StartupQuietLogger } from '../common/http/startup-logger.js';
import { MetricsRegistry } from '../common/metrics/metrics-registry.js';
import { requestTracer } from '../common/tracing/request-tracer.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { HEADERS_CHECK_INTERVAL_MS } from '../config/load-config.js';
import { GatewayJobs } from '../gateway/gateway-jobs.js';
import { GatewayProxyService, isProxyTarget } from '../gateway/gateway-proxy.service.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { DataPlaneModule, type DataPlaneModuleOptions } from './data-plane.module.js';
import { answerOperations, type OperationsDeps } from './operations-answers.js';

/**
 * The service's HTTP server runs with Fastify's defaults; the data plane's keeps the ones a
 * client can notice: idle keep-alive connections live 72 s (Node's own default is 5 s), no
 * per-request timeout (an upstream's own timeout applies), and a request without Host reaches
 * the request-shape check (problem+json) instead of Node's bare 400. The header block must
 * arrive within HEADERS_TIMEOUT_MS (408, RT4-8); a body is bounded by the idle timeout only.
 */
const SERVER_OPTIONS = {
  requireHostHeader: false,
  keepAliveTimeout: 72_000,
  requestTimeout: 0,
  // HEADERS_TIMEOUT_MS is only enforced when Node checks its connections; its default (30 s)
  // would let a header trickle outlive a 15 s limit by half a minute (RT4-8).
  connectionsCheckingInterval: HEADERS_CHECK_INTERVAL_MS,
};

export interface DataPlaneStartOptions extends DataPlaneModuleOptions {
  /** Nest's own start-up lines (main passes buffered logging; tests pass false). */
  logger?: false;
}

export interface DataPlane {
  context: INestApplicationContext;
  server: Server;
  config: AppConfig;
  port: number;
  /** Base URL of the listening server, e.g. http://127.0.0.1:40123. */
  url: string;
  /** Stop accepting, drain calls in flight (up to SHUTDOWN_GRACE_MS), write the counts, disconnect. */
  close(): Promise<void>;
}

export async function startDataPlane(options: DataPlaneStartOptions = {}): Promise<DataPlane> {
  const context = await NestFactory.createApplicationContext(
    DataPlaneModule.forRoot(options),
    options.logger === false
      ? { logger: false, abortOnError: false }
      : { bufferLogs: true, autoFlushLogs: false, abortOnError: false },
  );
  if (options.logger !== false) {
    context.useLogger(new StartupQuietLogger(context.get(Logger)));
    context.flushLogs();
  }
  const config = context.get<AppConfig>(APP_CONFIG);
  const proxy = context.get(GatewayProxyService);
  const deps: OperationsDeps = {
    prisma: context.get(PrismaService),
    metrics: context.get(MetricsRegistry),
    issuers: context.get(TrustedIssuerRegistry),
  };

  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    if (isProxyTarget(req.url)) proxy.handle(req, res);
    else answerOperations(req, res, deps);
  };
  const server = createServer({ ...SERVER_OPTIONS, headersTimeout: config.headersTimeoutMs }, (req, res) => {
    // OpenTelemetry server spans when OTEL_EXPORTER_OTLP_ENDPOINT is set (TracingModule), as in the service.
    const tracer = requestTracer();
    if (tracer === null) serve(req, res);
    else tracer.serve(req, res, () => serve(req, res));
  });
  // The same server-wide refusals as the service's: parser errors, Expect and CONNECT as problem+json.
  server.on('clientError', clientErrorHandler);
  answerUnmetExpectations(server);
  refuseConnect(server);

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await context.close();
    throw err;
  }
  context.get(GatewayJobs).start();
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // No new connections; idle keep-alive ones are closed, busy ones finish their call (a
      // new call on one of them is answered 503 while the gateway drains).
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await context.close(); // GatewayJobs: drain the calls in flight, then the last counts
      server.closeAllConnections();
      await stopped;
    })());
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return { context, server, config, port, url: `http://${host}:${port}`, close };
}
