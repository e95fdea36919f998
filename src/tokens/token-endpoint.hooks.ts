import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error.js';
import { PROBLEM_JSON } from '../common/errors/problem-details.filter.js';
import { NO_STORE_HEADERS, sendOAuthError, toOAuthError } from './oauth-error.filter.js';
import { OAuthError, oauthErrorBody } from './oauth-error.js';

export const TOKEN_PATH = '/token';
/** A token request is an assertion (≤ 8 KiB) and a few short parameters: 64 KiB is generous. */
export const MAX_TOKEN_REQUEST_BYTES = 64 * 1024;
const FORM = 'application/x-www-form-urlencoded';

function isTokenRoute(request: FastifyRequest): boolean {
  return request.method === 'POST' && request.routeOptions?.url === TOKEN_PATH;
}

/**
 * Body parsing happens in Fastify before Nest (and so before the controller's OAuth filter)
 * runs, and Fastify's errors are rendered as problem+json by the server-wide error handler.
 * Two route-scoped hooks keep `/token` speaking OAuth JSON for those too:
 * - onRequest refuses anything but a form body (RFC 6749 §3.2) and oversized requests before a
 *   parser ever runs, so a JSON or XML body never reaches a parser at all;
 * - onSend translates any problem+json the server-wide handler still produced on this route
 *   (e.g. a chunked body over the server's body limit) into the OAuth shape.
 */
@Injectable()
export class TokenEndpointHooks implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    // Absent in a plain application context (CLIs): there is no HTTP server to hook.
    const fastify = this.adapterHost.httpAdapter?.getInstance?.<FastifyInstance | undefined>();
    if (!fastify || typeof fastify.addHook !== 'function') return;
    // Route hooks are attached at Fastify's preReady, after Nest's init, so adding them here
    // still applies to the route Nest registered a moment ago.
    fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      if (!isTokenRoute(request)) return done();
      const refusal = checkRequestShape(request);
      if (!refusal) return done();
      sendOAuthError(reply, refusal); // answered: the request goes no further
    });
    fastify.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done) => {
      const type = reply.getHeader('content-type');
      if (!isTokenRoute(request) || typeof type !== 'string' || !type.startsWith(PROBLEM_JSON)) {
        return done(null, payload);
      }
      const err = toOAuthError(frameworkProblem(reply.statusCode, payload));
      for (const [k, v] of Object.entries({ ...NO_STORE_HEADERS, ...(err.headers ?? {}) }))
        void reply.header(k, v);
      void reply.header('content-type', 'application/json; charset=utf-8');
      done(null, JSON.stringify(oauthErrorBody(err)));
    });
  }
}

/**
 * The problem the server-wide handler rendered, as a DomainError. Its detail is about syntax
 * (malformed body, NUL in a field, a token in the query) and says nothing about secrets, so a
 * 4xx keeps it as the OAuth error_description.
 */
function frameworkProblem(status: number, payload: unknown): DomainError {
  let detail: unknown;
  try {
    detail = (JSON.parse(String(payload)) as { detail?: unknown }).detail;
  } catch {
    detail = undefined;
  }
  if (status >= 500 || typeof detail !== 'string')
    return new DomainError(status, 'STD-00000', 'framework error');
  return new OAuthError('invalid_request', 'framework', { status, description: detail });
}

/** The media type and size rules of a token request; null when they hold. */
export function checkRequestShape(request: FastifyRequest): OAuthError | null {
  const contentType = request.headers['content-type'];
  const mime = typeof contentType === 'string' ? contentType.split(';')[0].trim().toLowerCase() : '';
  if (mime !== FORM)
    return OAuthError.invalidRequest('content_type', `Send the parameters as ${FORM} (RFC 6749 §3.2).`);
  const length = Number(request.headers['content-length']);
  if (Number.isFinite(length) && length > MAX_TOKEN_REQUEST_BYTES)
    return new OAuthError('invalid_request', 'body_too_large', {
      status: 413,
      description: `The token request is larger than ${MAX_TOKEN_REQUEST_BYTES} bytes.`,
    });
  return null;
}
