/**
 * Layer 5: the gateway (DESIGN §4.9). The admin API is a Nest controller; the proxy is not.
 *
 * Proxy traffic is taken off the Node server ahead of Fastify's router: every server-wide hook
 * other contexts add (Nest middleware and request logging, cookies, the token endpoint's hooks,
 * the HTTP histogram) would otherwise run on every proxied call, and measured together they cost
 * more than the whole throughput budget the gateway has against a bare proxy (DESIGN §7). The
 * gateway applies the same request-target hygiene itself first, answers with the same problem
 * shape, keeps its own metrics, and gets the raw, unparsed body stream it needs anyway.
 * `/proxy` is also an ordinary Fastify route (a plugin that parses no body), so injected
 * requests (`app.inject`) and anything that bypasses the server listener reach the same handler.
 */
import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AccessListsModule } from '../access-lists/access-lists.module.js';
import { ConsentsModule } from '../consents/consents.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { GatewayProxyService, isProxyTarget } from './gateway-proxy.service.js';
import { GatewayJobs } from './gateway-jobs.js';
import { GATEWAY_RUNTIME_PROVIDERS } from './gateway-runtime.providers.js';
import { ProtectedApisController } from './protected-apis.controller.js';
import { ProtectedApisService } from './protected-apis.service.js';

const PROXY_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

@Module({
  imports: [ResourcesModule, AccessListsModule, ConsentsModule],
  controllers: [ProtectedApisController],
  providers: [...GATEWAY_RUNTIME_PROVIDERS, ProtectedApisService],
  exports: [ProtectedApisService, GatewayProxyService],
})
export class GatewayModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly proxy: GatewayProxyService,
    private readonly jobs: GatewayJobs,
  ) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const handler = (request: FastifyRequest, reply: FastifyReply) => {
      void reply.hijack();
      this.proxy.handle(request.raw, reply.raw);
    };
    await fastify.register(
      (instance, _opts, done) => {
        // The body is streamed to the upstream untouched: no parser may read it here.
        instance.removeAllContentTypeParsers();
        instance.addContentTypeParser('*', (_req, _payload, parsed) => parsed(null));
        for (const url of ['/', '/*'])
          instance.route({ method: [...PROXY_METHODS], url, handler, exposeHeadRoute: false });
        done();
      },
      { prefix: '/proxy' },
    );
    this.routeAheadOfFastify(fastify.server);

    this.jobs.start();
  }

  /** `/proxy…` requests go to the gateway, everything else to Fastify's own listener(s). */
  private routeAheadOfFastify(server: FastifyInstance['server']): void {
    const others = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
    if (others.length === 0) return; // no HTTP server (e.g. a CLI context): the Fastify route suffices
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (isProxyTarget(req.url)) {
        this.proxy.handle(req, res);
        return;
      }
      for (const l of others) l.call(server, req, res);
    });
  }
}
