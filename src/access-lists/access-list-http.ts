/**
 * HTTP glue shared by the access-list controllers: condition headers in, `ETag` /
 * `Last-Modified` and 200/201/304 out, and the matching OpenAPI documentation.
 */
import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { principalOf } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { AccessListErrors } from './access-list.errors.js';
import type { Conditional } from './access-list.types.js';
import {
  MalformedConditionError,
  etagOf,
  lastModifiedOf,
  parseConditions,
  type RequestConditions,
  type VersionedState,
} from './preconditions.js';

export function conditionsOf(req: FastifyRequest): RequestConditions {
  try {
    return parseConditions(req.headers);
  } catch (e) {
    if (e instanceof MalformedConditionError) throw AccessListErrors.malformedConditionHeader(e.header);
    throw e;
  }
}

/** What every route on one list starts from: who asks, which list, and the condition headers. */
export interface ListTarget {
  principal: Principal;
  owner: string;
  identifier: string;
  conditions: RequestConditions;
}

/**
 * `@ListTarget()`: the caller, the `:owner/:identifier` path parameters (`ConditionalRead` and
 * `ConditionalWrite` document them) and the parsed condition headers (400 when malformed).
 */
export const ListTarget = createParamDecorator((_data: unknown, ctx: ExecutionContext): ListTarget => {
  const req = ctx
    .switchToHttp()
    .getRequest<FastifyRequest<{ Params: { owner: string; identifier: string } }>>();
  return {
    principal: principalOf(req),
    owner: req.params.owner,
    identifier: req.params.identifier,
    conditions: conditionsOf(req),
  };
});

export function setVersionHeaders(reply: FastifyReply, state: VersionedState): void {
  void reply.header('etag', etagOf(state.version)).header('last-modified', lastModifiedOf(state.updatedAt));
}

/** Headers always; then 304 without a body, or 201 (created) / 200 with the value. */
export function sendConditional<T>(reply: FastifyReply, result: Conditional<T>): T | undefined {
  setVersionHeaders(reply, result.state);
  if (result.kind === 'not-modified') {
    void reply.status(304);
    return undefined;
  }
  void reply.status(result.created ? 201 : 200);
  return result.value;
}

const ETAG_HEADER = {
  ETag: { description: 'Weak entity tag of the list version, `W/"<version>"`.', schema: { type: 'string' } },
  'Last-Modified': { description: 'When the list last changed (HTTP-date).', schema: { type: 'string' } },
};

export const VERSION_RESPONSE_HEADERS = ETAG_HEADER;

/** Documents the condition headers a route honours and the 304/412 they can cause. */
export function ApiConditional(kind: 'read' | 'write'): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: '`*` or entity tags; 412 unless one matches.',
    }),
    ApiHeader({
      name: 'If-None-Match',
      required: false,
      description:
        kind === 'read'
          ? '`*` or entity tags; 304 when one matches.'
          : '`*` or entity tags; 412 when one matches.',
    }),
    ApiHeader({
      name: 'If-Modified-Since',
      required: false,
      description: 'Ignored when If-None-Match is present.',
    }),
    ApiHeader({
      name: 'If-Unmodified-Since',
      required: false,
      description: 'Ignored when If-Match is present.',
    }),
    ...(kind === 'read'
      ? [ApiResponse({ status: 304, description: 'Not modified', headers: ETAG_HEADER })]
      : []),
    ApiResponse({ status: 412, description: 'A precondition failed (problem+json)' }),
  );
}
