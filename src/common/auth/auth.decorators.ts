/**
 * Route-level auth rules (CONVENTIONS rule 5: secure by default). Every route needs a valid
 * token unless marked @Public(); @RequireScopes/@RequireAnyScope add scope rules and document
 * them in OpenAPI at the same time, so the docs cannot drift from what is enforced.
 *
 * Precedence: the nearest level that declares any auth metadata wins as a whole (a method's
 * decorators replace its controller's), so a @Public() controller cannot silently expose a
 * method that asks for scopes, and a method can narrow or change a controller-wide rule.
 */
import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtension,
  ApiForbiddenResponse,
  ApiOAuth2,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AUTH_PROBLEM_CODES, InvalidTokenError } from './auth-errors.js';
import type { Principal } from './principal.js';

export const IS_PUBLIC_KEY = 'auth:public';
export const REQUIRED_SCOPES_KEY = 'auth:scopes:all';
export const ANY_SCOPES_KEY = 'auth:scopes:any';
export const AUTH_PROBLEM_CODES_KEY = 'auth:problem-codes';

export interface AuthProblemCodeOverrides {
  /** Code for 401 (missing or invalid token); default AUTH-00401. */
  unauthorized?: string;
  /** Code for 403 (insufficient scope); default AUTH-00403. */
  forbidden?: string;
}

/**
 * The OAuth2 security scheme of the admin login (authorization code + PKCE, `/authorize`): a
 * person acting for an organisation in Swagger UI. Beside bearer, as an alternative.
 */
export const ADMIN_LOGIN_SCHEME = 'admin-login';

const UNAUTHORIZED_DESCRIPTION =
  'Missing or invalid bearer token (problem+json, `WWW-Authenticate: Bearer error="invalid_token"`).';

/** No token needed (health, public resource reads, token endpoint, portal pages). */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC_KEY, true);

/** Token required; it must carry every listed scope. With no scopes: any valid token. */
export function RequireScopes(...scopes: string[]): ClassDecorator & MethodDecorator {
  const list = scopes.map((s) => `\`${s}\``).join(', ');
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPES_KEY, Object.freeze([...scopes])),
    ApiBearerAuth(),
    ApiOAuth2([...scopes], ADMIN_LOGIN_SCHEME),
    ApiUnauthorizedResponse({ description: UNAUTHORIZED_DESCRIPTION }),
    ...(scopes.length
      ? [
          ApiForbiddenResponse({
            description: `The token lacks a required scope. Requires all of: ${list}.`,
          }),
          ApiExtension('x-required-scopes', scopes),
        ]
      : []),
  );
}

/** Token required; it must carry at least one of the listed scopes (e.g. admin OR owner scope). */
export function RequireAnyScope(...scopes: string[]): ClassDecorator & MethodDecorator {
  // An empty any-of could never be satisfied; that is a programming error, not a policy.
  if (scopes.length === 0) throw new Error('@RequireAnyScope() needs at least one scope');
  const list = scopes.map((s) => `\`${s}\``).join(', ');
  return applyDecorators(
    SetMetadata(ANY_SCOPES_KEY, Object.freeze([...scopes])),
    ApiBearerAuth(),
    // Swagger UI asks for every listed scope; the token gets those the organisation holds.
    ApiOAuth2([...scopes], ADMIN_LOGIN_SCHEME),
    ApiUnauthorizedResponse({ description: UNAUTHORIZED_DESCRIPTION }),
    ApiForbiddenResponse({ description: `The token lacks a required scope. Requires one of: ${list}.` }),
    ApiExtension('x-required-any-scope', scopes),
  );
}

/** Use other problem codes for this controller's 401/403 (the gateway uses GW-00003/GW-00004). */
export const AuthProblemCodes = (codes: AuthProblemCodeOverrides): ClassDecorator & MethodDecorator =>
  SetMetadata(AUTH_PROBLEM_CODES_KEY, codes);

/** The verified principal set by AuthGuard. On a @Public() route there is none: 401. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal =>
  principalOf(ctx.switchToHttp().getRequest<FastifyRequest>()),
);

/** The request's verified principal, for param decorators that carry it with more (401 without). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new InvalidTokenError('missing', AUTH_PROBLEM_CODES.unauthorized);
  return req.principal;
}
