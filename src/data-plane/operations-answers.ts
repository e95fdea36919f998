/**
 * The data plane's own answers besides /proxy: liveness, readiness and Prometheus metrics, with
 * the same bodies as the service's HealthController (terminus's shape), and problem+json for
 * everything else. Plain functions over node:http, no framework.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TrustedIssuerRegistry } from '../common/auth/trusted-issuer-registry.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { MetricsRegistry } from '../common/metrics/metrics-registry.js';
import { writeProblem } from '../gateway/gateway-answers.js';
import { nextRequestId } from '../gateway/gateway-request.js';
import { probeDatabase } from '../health/database-probe.js';
import type { PrismaService } from '../prisma/prisma.service.js';

export interface OperationsDeps {
  prisma: PrismaService;
  metrics: MetricsRegistry;
  issuers: TrustedIssuerRegistry;
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** `GET /health/ready`: 503 only when the database is down; issuer JWKS problems show as degraded. */
async function ready(res: ServerResponse, deps: OperationsDeps): Promise<void> {
  const down = await probeDatabase(deps.prisma);
  if (down !== null) {
    const database = { database: { status: 'down', message: down } };
    json(res, 503, { status: 'error', info: {}, error: database, details: database }, { 'retry-after': '5' });
    return;
  }
  const issuers = deps.issuers.status();
  const degraded = issuers.some((s) => s.state !== 'ok');
  const database = { database: { status: 'up' } };
  json(res, 200, {
    status: 'ok',
    info: database,
    error: {},
    details: { ...database, issuers: { status: degraded ? 'degraded' : 'up', issuers } },
    degraded,
  });
}

async function metrics(res: ServerResponse, deps: OperationsDeps): Promise<void> {
  const text = await deps.metrics.render();
  res.writeHead(200, {
    'content-type': deps.metrics.contentType,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

const ROUTES: Record<string, (res: ServerResponse, deps: OperationsDeps) => Promise<void> | void> = {
  '/health/live': (res) => json(res, 200, { status: 'ok' }),
  '/health/ready': ready,
  '/metrics': metrics,
};

/** Health and metrics (GET/HEAD), 405 for another method on them, 404 for any other path. */
export function answerOperations(req: IncomingMessage, res: ServerResponse, deps: OperationsDeps): void {
  const path = (req.url ?? '').split('?')[0];
  const route = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
  const id = nextRequestId();
  if (!route) {
    writeProblem(req, res, id, new DomainError(404, 'STD-00404', 'No resource matches the request path.'));
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    writeProblem(req, res, id, new DomainError(405, 'STD-00405', 'Method not allowed.'));
    return;
  }
  Promise.resolve(route(res, deps)).catch(() => {
    writeProblem(
      req,
      res,
      id,
      new DomainError(500, 'STD-00500', 'An unexpected error occurred. Quote the traceId when reporting it.'),
    );
  });
}
