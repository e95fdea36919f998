import { describe, expect, it, jest } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InsufficientScopeError, InvalidTokenError, KeysUnavailableError } from './auth-errors.js';
import { AuthProblemCodes, Public, RequireAnyScope, RequireScopes } from './auth.decorators.js';
import { AuthGuard, extractBearerToken } from './auth.guard.js';
import type { Principal } from './principal.js';
import type { TokenVerifier } from './token-verifier.js';

class ApiController {
  @RequireScopes('a', 'b') both(): void {}
  @RequireAnyScope('consentgw:admin', 'owner') either(): void {}
  @RequireScopes('a') @RequireAnyScope('x', 'y') combined(): void {}
  @Public() open(): void {}
  plain(): void {}
}

@Public()
class PublicController {
  @RequireScopes('a') guarded(): void {}
  open(): void {}
}

@RequireScopes('class-scope')
class ScopedController {
  inherits(): void {}
  @RequireScopes('method-scope') overrides(): void {}
  @Public() health(): void {}
}

@AuthProblemCodes({ unauthorized: 'GW-00003', forbidden: 'GW-00004' })
class GatewayController {
  @RequireScopes('skd:inntekt') proxy(): void {}
}

function principal(scope: string): Principal {
  return {
    consumer: '991825827',
    scopes: new Set(scope.split(' ').filter(Boolean)),
    scope,
    issuer: 'http://gw.test/',
    builtIn: true,
    exp: 0,
    claims: {},
  };
}

function guardWith(verify: (token: string) => Promise<Principal>) {
  const verifier = { verify: jest.fn(verify) };
  return { guard: new AuthGuard(new Reflector(), verifier as unknown as TokenVerifier), verifier };
}

function context(cls: new () => object, method: string, authorization?: unknown, type = 'http') {
  const request: { headers: Record<string, unknown>; principal?: Principal } = {
    headers: authorization === undefined ? {} : { authorization },
  };
  const ctx = {
    getHandler: () => (cls.prototype as Record<string, unknown>)[method],
    getClass: () => cls,
    getType: () => type,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { ctx, request };
}

async function refusal(
  p: Promise<unknown>,
): Promise<Error & { status: number; code: string; headers?: Record<string, string> }> {
  try {
    await p;
  } catch (e) {
    return e as never;
  }
  throw new Error('expected a refusal');
}

describe('extractBearerToken', () => {
  it.each([
    [undefined, 'absent'],
    ['', 'absent'],
    ['Basic dXNlcjpwYXNz', 'absent'],
    ['Bearerabc', 'absent'],
    ['Bearer', 'malformed'],
    ['Bearer ', 'malformed'],
    ['Bearer a b', 'malformed'],
    ['Bearer a"b', 'malformed'],
    [['Bearer a', 'Bearer b'], 'malformed'],
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc.def.ghi', 'abc.def.ghi'],
    ['BEARER   abc.def-_~+/=', 'abc.def-_~+/='],
  ])('%j → %j', (header, expected) => {
    expect(extractBearerToken(header)).toBe(expected);
  });
});

describe('AuthGuard', () => {
  it('lets @Public() routes through without looking at the token', async () => {
    const { guard, verifier } = guardWith(async () => principal(''));
    await expect(guard.canActivate(context(ApiController, 'open').ctx)).resolves.toBe(true);
    await expect(guard.canActivate(context(PublicController, 'open', 'Bearer junk').ctx)).resolves.toBe(true);
    await expect(guard.canActivate(context(ScopedController, 'health').ctx)).resolves.toBe(true);
    expect(verifier.verify).not.toHaveBeenCalled();
  });

  it('requires a token on routes without any auth decorator (secure by default)', async () => {
    const { guard } = guardWith(async () => principal(''));
    const e = await refusal(guard.canActivate(context(ApiController, 'plain').ctx));
    expect(e).toBeInstanceOf(InvalidTokenError);
    expect(e.status).toBe(401);
    expect(e.code).toBe('AUTH-00401');
    expect(e.headers?.['WWW-Authenticate']).toBe('Bearer realm="consent-gateway"');
  });

  it('answers a malformed Authorization header with invalid_token', async () => {
    const { guard, verifier } = guardWith(async () => principal(''));
    const e = await refusal(guard.canActivate(context(ApiController, 'plain', 'Bearer a b').ctx));
    expect(e.status).toBe(401);
    expect(e.headers?.['WWW-Authenticate']).toContain('error="invalid_token"');
    expect(verifier.verify).not.toHaveBeenCalled();
  });

  it('remaps the verifier refusal to the guard code and keeps invalid_token', async () => {
    const { guard } = guardWith(async () => {
      throw new InvalidTokenError('expired');
    });
    const e = await refusal(guard.canActivate(context(ApiController, 'plain', 'Bearer a.b.c').ctx));
    expect(e.code).toBe('AUTH-00401');
    expect(e.headers?.['WWW-Authenticate']).toContain('error="invalid_token"');
  });

  it('passes a 503 for unavailable issuer keys through', async () => {
    const { guard } = guardWith(async () => {
      throw new KeysUnavailableError('https://ext.test/');
    });
    const e = await refusal(guard.canActivate(context(ApiController, 'plain', 'Bearer a.b.c').ctx));
    expect(e.status).toBe(503);
    expect(e.code).toBe('GW-00014');
  });

  it('turns an unexpected verifier exception into a 401, never a 500', async () => {
    const { guard } = guardWith(async () => {
      throw new TypeError('bug');
    });
    const e = await refusal(guard.canActivate(context(ApiController, 'plain', 'Bearer a.b.c').ctx));
    expect(e).toBeInstanceOf(InvalidTokenError);
  });

  it('attaches the principal and checks every required scope', async () => {
    const { guard, verifier } = guardWith(async () => principal('a b c'));
    const { ctx, request } = context(ApiController, 'both', 'Bearer tok.en.x');
    await expect(guard.canActivate(ctx)).resolves.toBe(true);
    expect(verifier.verify).toHaveBeenCalledWith('tok.en.x');
    expect(request.principal?.consumer).toBe('991825827');
  });

  it('refuses a token missing one required scope with 403 insufficient_scope', async () => {
    const { guard } = guardWith(async () => principal('a'));
    const e = await refusal(guard.canActivate(context(ApiController, 'both', 'Bearer t.o.k').ctx));
    expect(e).toBeInstanceOf(InsufficientScopeError);
    expect(e.status).toBe(403);
    expect(e.code).toBe('AUTH-00403');
    expect(e.headers?.['WWW-Authenticate']).toBe(
      'Bearer realm="consent-gateway", error="insufficient_scope", scope="a b"',
    );
  });

  it('matches scopes exactly, never by prefix or substring', async () => {
    const { guard } = guardWith(async () => principal('a:b aa bb'));
    await expect(
      refusal(guard.canActivate(context(ApiController, 'both', 'Bearer t.o.k').ctx)),
    ).resolves.toBeInstanceOf(InsufficientScopeError);
  });

  it('accepts any one of the scopes for @RequireAnyScope', async () => {
    for (const scope of ['consentgw:admin', 'owner', 'x owner']) {
      const { guard } = guardWith(async () => principal(scope));
      await expect(guard.canActivate(context(ApiController, 'either', 'Bearer t.o.k').ctx)).resolves.toBe(
        true,
      );
    }
    const { guard } = guardWith(async () => principal('other'));
    const e = await refusal(guard.canActivate(context(ApiController, 'either', 'Bearer t.o.k').ctx));
    expect(e.status).toBe(403);
    expect(e.headers?.['WWW-Authenticate']).toContain('scope="consentgw:admin owner"');
  });

  it('enforces @RequireScopes and @RequireAnyScope together on one route', async () => {
    const ok = guardWith(async () => principal('a y'));
    await expect(ok.guard.canActivate(context(ApiController, 'combined', 'Bearer t.o.k').ctx)).resolves.toBe(
      true,
    );
    const noAny = guardWith(async () => principal('a'));
    expect(
      (await refusal(noAny.guard.canActivate(context(ApiController, 'combined', 'Bearer t.o.k').ctx))).status,
    ).toBe(403);
    const noAll = guardWith(async () => principal('x y'));
    expect(
      (await refusal(noAll.guard.canActivate(context(ApiController, 'combined', 'Bearer t.o.k').ctx))).status,
    ).toBe(403);
  });

  it('does not let a @Public() controller expose a method that requires scopes', async () => {
    const { guard } = guardWith(async () => principal('b'));
    expect((await refusal(guard.canActivate(context(PublicController, 'guarded').ctx))).status).toBe(401);
    expect(
      (await refusal(guard.canActivate(context(PublicController, 'guarded', 'Bearer t.o.k').ctx))).status,
    ).toBe(403);
  });

  it('applies class-level scopes, and a method-level rule replaces them', async () => {
    const classOnly = guardWith(async () => principal('class-scope'));
    await expect(
      classOnly.guard.canActivate(context(ScopedController, 'inherits', 'Bearer t.o.k').ctx),
    ).resolves.toBe(true);
    const e = await refusal(
      classOnly.guard.canActivate(context(ScopedController, 'overrides', 'Bearer t.o.k').ctx),
    );
    expect(e.status).toBe(403);
    const methodOnly = guardWith(async () => principal('method-scope'));
    await expect(
      methodOnly.guard.canActivate(context(ScopedController, 'overrides', 'Bearer t.o.k').ctx),
    ).resolves.toBe(true);
  });

  it('uses the problem codes a controller asks for (gateway: GW-00003 / GW-00004)', async () => {
    const noToken = guardWith(async () => principal(''));
    expect((await refusal(noToken.guard.canActivate(context(GatewayController, 'proxy').ctx))).code).toBe(
      'GW-00003',
    );
    const bad = guardWith(async () => {
      throw new InvalidTokenError('signature');
    });
    expect(
      (await refusal(bad.guard.canActivate(context(GatewayController, 'proxy', 'Bearer t.o.k').ctx))).code,
    ).toBe('GW-00003');
    const noScope = guardWith(async () => principal('other'));
    expect(
      (await refusal(noScope.guard.canActivate(context(GatewayController, 'proxy', 'Bearer t.o.k').ctx)))
        .code,
    ).toBe('GW-00004');
  });

  it('refuses non-HTTP execution contexts', async () => {
    const { guard } = guardWith(async () => principal('a b'));
    expect(
      (await refusal(guard.canActivate(context(ApiController, 'both', 'Bearer t.o.k', 'rpc').ctx))).status,
    ).toBe(401);
  });

  it('refuses to build @RequireAnyScope() without scopes', () => {
    expect(() => RequireAnyScope()).toThrow(/at least one scope/);
  });
});
