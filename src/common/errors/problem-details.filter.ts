import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from './domain-error.js';
import { unavailabilityLog } from '../../prisma/database-unavailable.js';
import { fromPrismaError, isDatabaseUnavailable } from './prisma-error-map.js';
import { problemType, reasonPhrase, type ProblemDetails } from './problem-details.js';
import { traceIdFor } from './trace-id.js';
import { noteRequest } from '../tracing/request-notes.js';

export const PROBLEM_JSON = 'application/problem+json';

/** Maps a framework/Fastify error (thrown before our code ran) to a domain error. */
function fromHttpError(err: unknown): DomainError | undefined {
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse();
    const message =
      typeof res === 'string'
        ? res
        : typeof (res as { message?: unknown }).message === 'string'
          ? (res as { message: string }).message
          : err.message;
    if (status === 404) return new DomainError(404, 'STD-00404', 'No resource matches the request path.');
    if (status === 405) return new DomainError(405, 'STD-00405', 'Method not allowed.');
    return new DomainError(status, `STD-00${status}`, status >= 500 ? reasonPhrase(status) : message);
  }
  const fe = err as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (typeof fe?.code === 'string' && fe.code.startsWith('FST_')) {
    switch (fe.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return new DomainError(
          413,
          'STD-00413',
          'The request body is larger than the limit for this endpoint.',
        );
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return new DomainError(415, 'STD-00415', 'Unsupported Content-Type; send application/json.');
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return new DomainError(
          400,
          'STD-00400',
          'The request body is empty but Content-Type is application/json.',
        );
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return new DomainError(400, 'STD-00400', 'Invalid Content-Length.');
      default:
        if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500)
          return new DomainError(fe.statusCode, `STD-00${fe.statusCode}`, reasonPhrase(fe.statusCode));
    }
  }
  // Fastify's JSON parser throws a SyntaxError with statusCode 400 for malformed JSON.
  if (err instanceof SyntaxError && (err as { statusCode?: number }).statusCode === 400)
    return new DomainError(400, 'STD-00400', 'The request body is not valid JSON.');
  if (typeof fe?.statusCode === 'number' && fe.statusCode === 413)
    return new DomainError(413, 'STD-00413', 'The request body is larger than the limit for this endpoint.');
  return undefined;
}

export function toDomainError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  return (
    fromHttpError(err) ??
    fromPrismaError(err) ??
    new DomainError(500, 'STD-00500', 'An unexpected error occurred. Quote the traceId when reporting it.')
  );
}

export function problemBody(err: DomainError, traceId: string): ProblemDetails {
  const body: ProblemDetails = {
    type: err.type ?? problemType(err.code),
    title: err.title ?? reasonPhrase(err.status),
    status: err.status,
    detail: err.detail,
    code: err.code,
    traceId,
    ...(err.extensions ?? {}),
  };
  if (err.validationErrors?.length) body.validationErrors = err.validationErrors;
  return body;
}

/** The internal reason a refusal carries (a token's failed check), for the log only. */
export function refusalReason(raw: unknown): string | undefined {
  const reason = (raw as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' ? reason : undefined;
}

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  raw: unknown,
  logger?: Logger,
): void {
  const err = toDomainError(raw);
  const traceId = traceIdFor(request.raw);
  noteRequest(request.raw, { code: err.code, reason: refusalReason(raw) });
  if (err.status >= 500 && logger) {
    // A database outage is reported once (and then once a minute), not as a stack per call.
    if (isDatabaseUnavailable(raw))
      unavailabilityLog.note(raw, `${request.method} ${request.routeOptions?.url ?? 'request'}`);
    // Logged with the trace id; the response never carries the stack, SQL or paths.
    else logger.error({ err: raw, traceId }, 'request failed');
  }
  if (reply.sent) return;
  for (const [k, v] of Object.entries(err.headers ?? {})) void reply.header(k, v);
  void reply
    .status(err.status)
    .header('content-type', PROBLEM_JSON)
    .send(JSON.stringify(problemBody(err, traceId)));
}

/** The one global filter: every error leaves as RFC 9457 problem+json with a traceId. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    sendProblem(ctx.getResponse<FastifyReply>(), ctx.getRequest<FastifyRequest>(), exception, this.logger);
  }
}
