/**
 * OpenTelemetry tracing (docs/operations.md, "Tracing"): off unless OTEL_EXPORTER_OTLP_ENDPOINT
 * (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set. When off, no OpenTelemetry module is loaded:
 * the SDK is imported here, dynamically, only when configured.
 *
 * When on, every request the HTTP server receives runs inside its server span: the server's
 * 'request' listeners (Fastify's, and the gateway's, which runs ahead of Fastify) are wrapped
 * once the app is bootstrapped, after the gateway has put its own listener in place. Spans still
 * queued are exported at shutdown, after every module has stopped (onApplicationShutdown).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { setRequestTracer, type RequestTracer } from './request-tracer.js';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

@Module({})
export class TracingModule implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Tracing');
  private tracer: RequestTracer | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async onModuleInit(): Promise<void> {
    const tracing = this.config.tracing;
    if (!tracing) return;
    const { OtelRequestTracer } = await import('./otel-request-tracer.js');
    const tracer = OtelRequestTracer.start(tracing, (m) => this.logger.warn(m));
    this.tracer = tracer;
    setRequestTracer(tracer);
    // Server spans are named after the route template, never the raw path (it may carry
    // identity numbers), like the request log.
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onRequest', (req: FastifyRequest, _reply, done) => {
      if (req.routeOptions?.url) tracer.nameRoute(req.raw, req.routeOptions.url);
      done();
    });
    this.logger.log(
      `exporting spans to ${tracing.url} (${tracing.protocol}, sampler ${tracing.sampler}, service ${tracing.serviceName})`,
    );
  }

  onApplicationBootstrap(): void {
    const tracer = this.tracer;
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!tracer || !server) return;
    const listeners = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) =>
      tracer.serve(req, res, () => {
        for (const listener of listeners) listener.call(server, req, res);
      }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.tracer) return;
    setRequestTracer(null);
    await this.tracer
      .shutdown()
      .catch((err: unknown) => this.logger.warn(`spans not exported at shutdown: ${(err as Error).message}`));
  }
}
