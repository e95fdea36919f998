import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toDomainError } from '../common/errors/problem-details.filter.js';
import { traceIdFor } from '../common/errors/trace-id.js';
import { noteRequest } from '../common/tracing/request-notes.js';
import { OAuthError, oauthErrorBody } from './oauth-error.js';

/**
 * Any other failure on the token endpoint in OAuth terms, keeping its HTTP status where OAuth has
 * no opinion (413, 415): 5xx become `server_error` / `temporarily_unavailable` (database down,
 * with Retry-After), any 4xx `invalid_request`.
 */
export function toOAuthError(raw: unknown): OAuthError {
  if (raw instanceof OAuthError) return raw;
  const err = toDomainError(raw);
  if (err.status === 503)
    return new OAuthError('temporarily_unavailable', err.code, { headers: err.headers, status: 503 });
  if (err.status >= 500) return new OAuthError('server_error', err.code, { status: 500 });
  if (err.status === 429)
    return new OAuthError('temporarily_unavailable', err.code, { status: 429, headers: err.headers });
  return new OAuthError('invalid_request', err.code, { status: err.status });
}

/** RFC 6749 §5.1/§5.2: token responses and errors are never cached. */
export const NO_STORE_HEADERS = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

export function sendOAuthError(reply: FastifyReply, err: OAuthError): void {
  if (reply.sent) return;
  noteRequest(reply.request.raw, { code: err.error, reason: err.reason });
  for (const [k, v] of Object.entries({ ...NO_STORE_HEADERS, ...(err.headers ?? {}) }))
    void reply.header(k, v);
  void reply
    .status(err.status)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify(oauthErrorBody(err)));
}

/** Scoped to the token controller with @UseFilters: there, every error leaves as OAuth JSON. */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('TokenEndpoint');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const err = toOAuthError(exception);
    if (err.status >= 500) {
      // The response says nothing; the log has the cause under the request's trace id.
      const traceId = traceIdFor(request.raw);
      this.logger.error({ err: exception, traceId }, 'token request failed');
    }
    sendOAuthError(reply, err);
  }
}
