/**
 * The gateway's own answers on the raw Node response (proxied calls bypass Fastify and the
 * global problem filter): problem+json with the same body as the filter's, and the mapping of
 * whatever a check or load threw to the problem to answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { isDatabaseUnavailable } from '../common/errors/prisma-error-map.js';
import { PROBLEM_JSON, problemBody } from '../common/errors/problem-details.filter.js';
import { traceIdFor } from '../common/errors/trace-id.js';
import { unavailabilityLog } from '../prisma/database-unavailable.js';
import * as E from './gateway-errors.js';

/** Unread request bodies up to this size are drained (keep-alive survives); larger → close. */
const DRAIN_LIMIT = 64 * 1024;

export function internalError(): DomainError {
  return new DomainError(
    500,
    'STD-00500',
    'An unexpected error occurred. Quote the traceId when reporting it.',
  );
}

/** The problem for anything a check, a load or the upstream step threw (503 GW-00015 for the database). */
export function toProblem(err: unknown, context: string, logger: Logger): DomainError {
  if (err instanceof DomainError) return err;
  if (isDatabaseUnavailable(err)) {
    unavailabilityLog.note(err, `gateway (${context})`);
    return E.databaseUnavailable();
  }
  logger.error(`gateway check failed (${context}): ${(err as Error)?.stack ?? String(err)}`);
  return internalError();
}

/**
 * A problem+json answer on the raw response (RFC 9457, same body as the global filter's). An
 * unread large request body would be drained byte by byte to keep the connection: close instead.
 */
export function writeProblem(
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  problem: DomainError,
  close = false,
): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(problemBody(problem, traceIdFor(req)));
  const headers: Record<string, string | number> = {
    'content-type': PROBLEM_JSON,
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
  };
  for (const [k, v] of Object.entries(problem.headers ?? {})) headers[k.toLowerCase()] = v;
  const h = req.headers;
  if (close || h['transfer-encoding'] !== undefined || Number(h['content-length'] ?? 0) > DRAIN_LIMIT)
    headers.connection = 'close';
  res.writeHead(problem.status, headers);
  res.end(body);
}
