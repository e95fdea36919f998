import { Controller, Get, Header, Optional, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/auth.decorators.js';
import { TrustedIssuerRegistry } from '../common/auth/trusted-issuer-registry.js';
import { MetricsRegistry } from '../common/metrics/metrics-registry.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { probeDatabase } from './database-probe.js';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly prisma: PrismaService,
    private readonly metrics: MetricsRegistry,
    @Optional() private readonly issuers?: TrustedIssuerRegistry,
  ) {}

  @Public()
  @Get('health/live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ description: 'Alive' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Public()
  @Get('health/ready')
  @HealthCheck()
  @ApiOperation({
    summary: 'Readiness: 503 only when the database is down; issuer JWKS problems show as degraded',
  })
  @ApiOkResponse({ description: 'Ready (possibly degraded)' })
  @ApiServiceUnavailableResponse({ description: 'Database unavailable' })
  async ready(
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<HealthCheckResult & { degraded?: boolean }> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check([() => this.database()]);
    } catch (err) {
      // terminus throws a 503 carrying the result; we answer it as-is instead of a problem body.
      const body = (err as { getResponse?: () => unknown }).getResponse?.() as HealthCheckResult | undefined;
      void reply.status(503).header('retry-after', '5');
      return body ?? { status: 'error', details: {} };
    }
    const issuers = this.issuers?.status() ?? [];
    const degraded = issuers.some((s) => s.state !== 'ok');
    return {
      ...result,
      degraded,
      details: { ...result.details, issuers: { status: degraded ? 'degraded' : 'up', issuers } } as never,
    };
  }

  @Public()
  @Get('metrics')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics' })
  async metricsText(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('content-type', this.metrics.contentType);
    return this.metrics.render();
  }

  private async database() {
    const indicator = this.indicators.check('database');
    const down = await probeDatabase(this.prisma);
    return down === null ? indicator.up() : indicator.down({ message: down });
  }
}
