/**
 * The one verifier for every bearer token (admin API, consumer API, gateway), DESIGN §3/§10.
 * Order: size → structure/strict JSON → header policy → exact issuer → claims → key by kid with
 * matching type → signature (node:crypto, algorithm pinned to the header's allowed alg). Cheap checks
 * run before any crypto or JWKS fetch. Every failure is an InvalidTokenError (401) or, when the
 * issuer's keys cannot be trusted, a KeysUnavailableError (503); nothing else escapes.
 */
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { ClockCache } from '../cache/clock-cache.js';
import { InvalidTokenError, KeysUnavailableError } from './auth-errors.js';
import { tokenVerifyCacheHitsTotal, tokenVerifyFailuresTotal, tokenVerifySeconds } from './auth-metrics.js';
import { checkClaims, splitScope } from './claims-policy.js';
import { AUTH_CLOCK, type Clock } from './clock.js';
import { parseCompactJws } from './compact-jws.js';
import { checkHeader } from './header-policy.js';
import { verifyJwsSignature } from './jws-signature.js';
import type { JwksCache } from './jwks-cache.js';
import type { VerificationKey } from './jwk-set.js';
import type { Principal } from './principal.js';
import { TrustedIssuerRegistry } from './trusted-issuer-registry.js';

/**
 * Verified tokens kept (each ~5 KiB with its parsed claims). A client reuses its token until it
 * expires (Maskinporten: 120 s), so this is the number of distinct tokens in use at once per
 * instance; a token pushed out is only verified again (~40 µs). Measured: 10 000 entries held
 * ~50 MB of old space under a new-token-per-request load and lengthened every full GC.
 */
const CACHE_MAX_ENTRIES = 4096;
/** Sum of cached token lengths: bounded even if every token had the maximum size. */
const CACHE_MAX_TOKEN_CHARS = 8 * 1024 * 1024;
/** Tokens seen once, remembered by a short tag of their signature (admission, see `admit`). */
const SEEN_MAX_ENTRIES = 16_384;
const SEEN_TAG_CHARS = 22; // 132 bits of the signature: distinct tokens never share one in practice

interface CachedToken {
  principal: Principal;
  expMs: number;
  kid: string;
  key: VerificationKey;
  issuer: JwksCache;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

@Injectable()
export class TokenVerifier {
  private readonly cache = new ClockCache<string, CachedToken>(CACHE_MAX_ENTRIES, CACHE_MAX_TOKEN_CHARS);
  private readonly seenOnce = new ClockCache<string, true>(SEEN_MAX_ENTRIES);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly issuers: TrustedIssuerRegistry,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Verifies a compact JWS access token (without the `Bearer ` prefix) and returns its frozen
   * principal. Throws InvalidTokenError (401, GW-00003) or KeysUnavailableError (503, GW-00014).
   */
  async verify(token: string): Promise<Principal> {
    try {
      // Size first, before even hashing the string for the cache lookup.
      if (typeof token !== 'string' || token.length > this.config.maxTokenBytes) {
        throw new InvalidTokenError(typeof token === 'string' ? 'too_large' : 'malformed');
      }
      const cached = this.verifyCached(token);
      if (cached) return cached;
      const endTimer = tokenVerifySeconds.startTimer();
      try {
        return await this.verifyUncached(token);
      } finally {
        endTimer();
      }
    } catch (e) {
      const err =
        e instanceof InvalidTokenError || e instanceof KeysUnavailableError
          ? e
          : new InvalidTokenError('internal');
      tokenVerifyFailuresTotal.inc({
        reason: err instanceof InvalidTokenError ? err.reason : 'keys_unavailable',
      });
      throw err;
    }
  }

  /**
   * The principal of a token verified before and still valid, synchronously, or undefined (then
   * call `verify`). For the gateway's hot path: a reused token costs no promise at all, which
   * matters because the request logger's AsyncLocalStorage makes every promise pay a hook.
   */
  verifyCached(token: string): Principal | undefined {
    if (typeof token !== 'string' || token.length > this.config.maxTokenBytes) return undefined;
    const principal = this.fromCache(token);
    if (principal) tokenVerifyCacheHitsTotal.inc();
    return principal;
  }

  /** Drop every cached verification (e.g. after a key compromise). */
  clearCache(): void {
    this.cache.clear();
  }

  private fromCache(token: string): Principal | undefined {
    const entry = this.cache.get(token);
    if (!entry) return undefined;
    // Still unexpired (the uncached path applies the leeway) and signed by a key that is
    // still published and trusted; otherwise verify again, which gives the right error.
    if (this.clock() < entry.expMs && entry.issuer.isCurrentKey(entry.kid, entry.key)) return entry.principal;
    this.cache.delete(token);
    return undefined;
  }

  /**
   * A verified token enters the cache on its second use, not its first. A client reuses its
   * token, so that costs one extra verification per token; in exchange tokens used once (a
   * client that fetches a token per call, or a flood of distinct tokens) never push reused ones
   * out, and never fill old space with principals that are garbage right away, which under a
   * new-token-per-request load was most of the gateway's garbage-collection work.
   */
  private admit(token: string): boolean {
    const tag = token.slice(token.length - SEEN_TAG_CHARS);
    if (this.seenOnce.get(tag) === undefined) {
      this.seenOnce.set(tag, true);
      return false;
    }
    this.seenOnce.delete(tag);
    return true;
  }

  private async verifyUncached(token: string): Promise<Principal> {
    const { header, payload, signingInput, signature } = parseCompactJws(token, this.config.maxTokenBytes);
    const { alg, kid } = checkHeader(header);

    const iss = payload.iss;
    const issuer = typeof iss === 'string' ? this.issuers.get(iss) : undefined;
    if (!issuer) throw new InvalidTokenError('issuer');

    const policy = {
      clockSkewSeconds: this.config.clockSkewSeconds,
      maxTokenLifetimeSeconds: this.config.maxTokenLifetimeSeconds,
    };
    const claims = checkClaims(payload, { ...policy, nowSeconds: this.clock() / 1000 });

    const candidates = await issuer.getKeys(kid);
    if (candidates.length === 0) throw new InvalidTokenError('key_unknown');
    const key = candidates.find((k) => k.kty === (alg === 'ES256' ? 'EC' : 'RSA'));
    // An RSA key must never verify an ES256 token and vice versa; a key that declares its alg
    // is bound to it (RFC 7517 §4.4).
    if (!key || (key.alg !== undefined && key.alg !== alg)) throw new InvalidTokenError('key_type');

    if (!verifyJwsSignature(alg, key.key, signingInput, signature)) throw new InvalidTokenError('signature');

    // A JWKS fetch may have taken seconds: judge expiry against the time now.
    const nowMs = this.clock();
    if (nowMs / 1000 > claims.exp + policy.clockSkewSeconds) throw new InvalidTokenError('expired');

    const principal: Principal = deepFreeze({
      consumer: claims.consumer,
      ...(claims.supplier !== undefined && { supplier: claims.supplier }),
      ...(claims.clientId !== undefined && { clientId: claims.clientId }),
      scopes: splitScope(claims.scope),
      scope: claims.scope,
      ...(claims.authorizationDetails !== undefined && { authorizationDetails: claims.authorizationDetails }),
      issuer: issuer.issuer,
      builtIn: issuer.builtIn,
      ...(claims.jti !== undefined && { jti: claims.jti }),
      exp: claims.exp,
      claims: payload,
    });

    const expMs = claims.exp * 1000;
    if (nowMs < expMs && this.admit(token))
      this.cache.set(token, { principal, expMs, kid, key, issuer }, token.length);
    return principal;
  }
}
