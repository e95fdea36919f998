/**
 * One decorator per route of the owner-scoped APIs (clients, scopes, access lists, resources,
 * protected APIs, webhooks, organisation roles) instead of a stack of six, so that a route states
 * only what is its own: who may call it, what it does and what it answers. The access rule is
 * still @RequireScopes / @RequireAnyScope underneath, so the docs cannot drift from what the
 * guard enforces.
 *
 * Two things stay on the route itself, because the `@nestjs/swagger` CLI plugin reads them from
 * the source: `@HttpCode` (the status of the success answer it infers), and any TSDoc comment
 * on the method, which the plugin turns into the summary, overriding the one given here (so
 * comment routes with `//`).
 */
import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  type ApiResponseNoStatusOptions,
} from '@nestjs/swagger';
import { RequireAnyScope, RequireScopes } from '../auth/auth.decorators.js';

/** Who may call: a token with every scope in `all`, or with any one of `any`. */
export type Access = { readonly all: readonly string[] } | { readonly any: readonly string[] };

/** A success answer: its DTO class (`[Dto]` for an array), or the options when it needs more. */
export type Answer = Type<unknown> | [Type<unknown>] | ApiResponseNoStatusOptions;

/** What a route does, and each answer it gives besides the 401/403 its access rule documents. */
export interface RouteDocs {
  summary: string;
  description?: string;
  ok?: Answer;
  created?: Answer;
  /** Describes the 204; the route declares `@HttpCode(204)` itself (see above). */
  noContent?: string;
  badRequest?: string;
  /** A 403 of the route's own, listed before the access rule's "lacks a required scope". */
  forbidden?: string;
  notFound?: string;
  conflict?: string;
  preconditionFailed?: string;
}

function answer(a: Answer): ApiResponseNoStatusOptions {
  // A copy: ApiResponse writes into the options it is given, and callers share constants.
  return typeof a === 'function' || Array.isArray(a) ? { type: a } : { ...a };
}

/** The operation and its answers, for routes whose access is declared elsewhere (class, @Public). */
export function ApiRoute(docs: RouteDocs): MethodDecorator {
  const problems = [
    [docs.badRequest, ApiBadRequestResponse],
    [docs.forbidden, ApiForbiddenResponse],
    [docs.notFound, ApiNotFoundResponse],
    [docs.conflict, ApiConflictResponse],
    [docs.preconditionFailed, ApiPreconditionFailedResponse],
  ] as const;
  return applyDecorators(
    ApiOperation({ summary: docs.summary, description: docs.description }),
    ...(docs.ok ? [ApiOkResponse(answer(docs.ok))] : []),
    ...(docs.created ? [ApiCreatedResponse(answer(docs.created))] : []),
    ...(docs.noContent ? [ApiNoContentResponse({ description: docs.noContent })] : []),
    ...problems.flatMap(([description, respond]) => (description ? [respond({ description })] : [])),
  );
}

/** A route that needs a token: its access rule (with the 401/403 it documents) and its docs. */
export function ScopedRoute(access: Access, docs: RouteDocs): MethodDecorator {
  const rule = 'all' in access ? RequireScopes(...access.all) : RequireAnyScope(...access.any);
  // Docs first, then the rule, so that a route's own 403 text comes before the scope one.
  return applyDecorators(ApiRoute(docs), rule);
}
