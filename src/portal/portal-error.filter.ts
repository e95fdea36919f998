/**
 * The portal answers people, not API clients: anything thrown inside a portal handler becomes an
 * HTML error page (with the portal's security headers) instead of problem+json. Expected
 * outcomes (403, 404, CSRF, conflicts) are rendered by the handlers themselves; this is the net
 * under them. Internals never reach the page; 5xx are logged with the request id.
 */
import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toDomainError } from '../common/errors/problem-details.filter.js';
import { field } from './portal-http.js';
import { parseLang } from './portal-i18n.js';
import { PortalPagesService, type ErrorKind } from './portal-pages.service.js';

@Catch()
export class PortalErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Portal');

  constructor(private readonly pages: PortalPagesService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const err = toDomainError(exception);
    if (err.status >= 500) this.logger.error({ err: exception, reqId: req.id }, 'portal request failed');
    if (reply.sent) return;
    const lang = parseLang(field(req.query, 'lang') ?? field(req.body, 'lang'));
    const kind: ErrorKind =
      err.status === 404
        ? 'notFound'
        : err.status === 403
          ? 'forbidden'
          : err.status < 500
            ? 'conflict'
            : 'error';
    const status = err.status === 503 ? 503 : err.status >= 500 ? 500 : err.status;
    if (status === 503) void reply.header('retry-after', err.headers?.['Retry-After'] ?? '5');
    this.pages.error(reply, status, kind, { lang, session: null, switchTo: '/consent/active' });
  }
}
