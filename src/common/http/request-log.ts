/**
 * One log line per request (docs/operations.md, "Logs"), written when the response has gone:
 * method, route template (never the raw path, which may carry identity numbers), status,
 * duration, request id, the W3C trace id the problem body quotes, who called, and the problem
 * code and refusal reason. Never a token, a header, a query string or a body. Health and metrics
 * are polled every few seconds and log at `debug`; answers are `info`, refusals `warn`, failures
 * `error` (503 stays `warn`: an outage is logged once on its own, not per request).
 * The gateway's `/proxy` calls bypass Fastify and write their own line of the same shape.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import type {} from '../auth/principal.js'; // FastifyRequest.principal
import { formatTraceparent, traceContextOf } from '../tracing/trace-context.js';
import { requestNotes } from '../tracing/request-notes.js';

const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

export type RequestLogLevel = 'debug' | 'info' | 'warn' | 'error';

export function requestLogLevel(route: string, status: number): RequestLogLevel {
  if (status >= 500) return status === 503 ? 'warn' : 'error';
  if (QUIET_ROUTES.has(route)) return 'debug';
  return status >= 400 ? 'warn' : 'info';
}

/** The fields of a request's line (exported for the gateway, which logs on the raw request). */
export interface RequestLogLine {
  msg: 'request';
  reqId: string;
  traceId: string;
  method: string;
  route: string;
  status: number;
  ms: number;
  consumer?: string;
  clientId?: string;
  code?: string;
  reason?: string;
}

export function installRequestLog(fastify: FastifyInstance, logger: PinoLogger): void {
  fastify.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = req.routeOptions?.url ?? 'unmatched';
    const status = reply.statusCode;
    const level = requestLogLevel(route, status);
    if (logger.isLevelEnabled(level)) logger[level](requestLine(req, route, status, reply.elapsedTime));
    done();
  });
}

function requestLine(req: FastifyRequest, route: string, status: number, elapsedMs: number): RequestLogLine {
  const notes = requestNotes(req.raw);
  const principal = req.principal;
  const line: RequestLogLine = {
    msg: 'request',
    reqId: String(req.id),
    traceId: formatTraceparent(traceContextOf(req.raw)),
    method: req.method,
    route,
    status,
    ms: Math.round(elapsedMs * 100) / 100,
  };
  const consumer = notes?.consumer ?? principal?.consumer;
  const clientId = notes?.clientId ?? principal?.clientId;
  if (consumer) line.consumer = consumer;
  if (clientId) line.clientId = clientId;
  if (notes?.code) line.code = notes.code;
  if (notes?.reason) line.reason = notes.reason;
  return line;
}
