/**
 * The one global guard (registered as APP_GUARD by AuthModule). Skips @Public() routes,
 * otherwise verifies `Authorization: Bearer <token>`, attaches `request.principal` and enforces
 * the route's scope rules. All refusals are DomainErrors (problem+json via the global filter).
 */
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import {
  AUTH_PROBLEM_CODES,
  InsufficientScopeError,
  InvalidTokenError,
  KeysUnavailableError,
} from './auth-errors.js';
import {
  ANY_SCOPES_KEY,
  AUTH_PROBLEM_CODES_KEY,
  IS_PUBLIC_KEY,
  REQUIRED_SCOPES_KEY,
  type AuthProblemCodeOverrides,
} from './auth.decorators.js';
import { hasAnyScope, hasScopes } from './principal.js';
import { TokenVerifier } from './token-verifier.js';
import { extractBearerToken } from './bearer-token.js';

export { extractBearerToken };

interface AuthRule {
  public: boolean;
  all: readonly string[];
  any?: readonly string[];
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.ruleFor(context);
    if (rule.public) return true;

    const codes = {
      unauthorized: AUTH_PROBLEM_CODES.unauthorized,
      forbidden: AUTH_PROBLEM_CODES.forbidden,
      ...this.reflector.getAllAndOverride<AuthProblemCodeOverrides | undefined>(AUTH_PROBLEM_CODES_KEY, [
        context.getHandler(),
        context.getClass(),
      ]),
    };
    // Only HTTP is served; anything else is refused rather than waved through.
    if (context.getType() !== 'http') throw new InvalidTokenError('missing', codes.unauthorized);

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = extractBearerToken(request.headers.authorization);
    if (token === 'absent') throw new InvalidTokenError('missing', codes.unauthorized);
    if (token === 'malformed') throw new InvalidTokenError('malformed', codes.unauthorized);

    try {
      request.principal = await this.verifier.verify(token);
    } catch (e) {
      if (e instanceof InvalidTokenError) throw e.withCode(codes.unauthorized);
      if (e instanceof KeysUnavailableError) throw e;
      throw new InvalidTokenError('internal', codes.unauthorized);
    }

    const principal = request.principal;
    if (!hasScopes(principal, ...rule.all))
      throw new InsufficientScopeError(rule.all, 'all', codes.forbidden);
    if (rule.any && !hasAnyScope(principal, ...rule.any))
      throw new InsufficientScopeError(rule.any, 'any', codes.forbidden);
    return true;
  }

  /** The nearest level (handler, then class) that declares any auth metadata decides. */
  private ruleFor(context: ExecutionContext): AuthRule {
    for (const target of [context.getHandler(), context.getClass()]) {
      const isPublic = this.reflector.get<boolean | undefined>(IS_PUBLIC_KEY, target);
      const all = this.reflector.get<readonly string[] | undefined>(REQUIRED_SCOPES_KEY, target);
      const any = this.reflector.get<readonly string[] | undefined>(ANY_SCOPES_KEY, target);
      if (all || any) return { public: false, all: all ?? [], any };
      if (isPublic) return { public: true, all: [] };
    }
    return { public: false, all: [] };
  }
}
