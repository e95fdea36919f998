/**
 * Global auth: the verifier, the trusted-issuer key caches and the global guard. Does not import
 * the `tokens` module (a higher layer): it injects ISSUER_KEY_SOURCE, which `tokens` provides
 * globally. Tests can override AUTH_CLOCK to move time.
 */
import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthMetrics } from './auth-metrics.js';
import { AuthGuard } from './auth.guard.js';
import { AUTH_CLOCK, systemClock } from './clock.js';
import { TokenVerifier } from './token-verifier.js';
import { TrustedIssuerRegistry } from './trusted-issuer-registry.js';

@Global()
@Module({
  providers: [
    { provide: AUTH_CLOCK, useValue: systemClock },
    AuthMetrics,
    TrustedIssuerRegistry,
    TokenVerifier,
    AuthGuard,
    { provide: APP_GUARD, useExisting: AuthGuard },
  ],
  exports: [TokenVerifier, TrustedIssuerRegistry, AuthGuard, AUTH_CLOCK],
})
export class AuthModule {}
