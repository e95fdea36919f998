import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { DomainError } from '../errors/domain-error.js';

/** Where `@ApiConsumes()` (@nestjs/swagger) keeps a route's media types. */
const API_CONSUMES = 'swagger/apiConsumes';
const FORM = 'application/x-www-form-urlencoded';

/**
 * The JSON APIs take JSON only. A form body is parsed for every route (the token endpoint and the
 * portal's forms need it), so without this check `curl -d '{"a":1}'` — curl's default type is a
 * form — reaches validation as one odd field name and the client reads "Unknown field
 * $.{"a":1}". A route takes forms when it says so in its OpenAPI description
 * (`@ApiConsumes('application/x-www-form-urlencoded')`): the contract and the check are one.
 */
@Injectable()
export class JsonOnlyInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const req = context.switchToHttp().getRequest<FastifyRequest>();
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type === FORM && hasBody(req)) {
        const consumes =
          this.reflector.getAllAndOverride<string[] | undefined>(API_CONSUMES, [
            context.getHandler(),
            context.getClass(),
          ]) ?? [];
        if (!consumes.includes(FORM))
          throw new DomainError(
            415,
            'STD-00415',
            'This endpoint takes a JSON body: send it with "Content-Type: application/json" ' +
              `(a form, ${FORM}, is what curl -d sends by default).`,
            { title: 'Unsupported Media Type' },
          );
      }
    }
    return next.handle();
  }
}

function hasBody(req: FastifyRequest): boolean {
  const length = Number(req.headers['content-length'] ?? 0);
  return (
    length > 0 || (req.body !== null && typeof req.body === 'object' && Object.keys(req.body).length > 0)
  );
}
