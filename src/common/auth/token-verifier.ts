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
import { SeenFilter } from '../cache/seen-filter.js';
import { InvalidTokenError, KeysUnavailableError } from './auth-errors.js';
import { explainTokenRefusal } from './token-refusal-explanation.js';
import { AuthMetrics } from './auth-metrics.js';
import { checkClaims, splitScope, type CheckedClaims } from './claims-policy.js';
import { AUTH_CLOCK, type Clock } from './clock.js';
import { parseCompactJws } from './compact-jws.js';
import { checkHeader, type VerifiedHeader } from './header-policy.js';
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
/**
 * Slots of the filter of tokens seen once (admission, see `admit`). No larger than the cache: a
 * token whose next use comes after more distinct tokens than the cache holds would be pushed out
 * before that use, so admitting it would only churn old space (measured: a 16 384-entry window
 * under 14 000 rotating tokens grew old space by ~15 MB/s).
 */
const SEEN_MAX_ENTRIES = CACHE_MAX_ENTRIES;
const SEEN_TAG_CHARS = 22; // 132 bits of the signature: distinct tokens never share one in practice

/** A token parsed and judged up to the point where its issuer's key is needed. */
interface Prepared {
  alg: VerifiedHeader['alg'];
  kid: string;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
  issuer: JwksCache;
  claims: CheckedClaims;
}

interface CachedToken {
  /** The whole token: the cache is keyed by its signature tag, a hit must be this very token. */
  token: string;
  principal: Principal;
  expMs: number;
  kid: string;
  key: VerificationKey;
  issuer: JwksCache;
}

/**
 * A 53-bit number from the last characters of the signature (random for a real signature).
 * A number, not a slice of the token: V8 keeps a slice as a view of the whole (~1 KiB) token.
 * A collision only lets a token into the cache one use early.
 *
 * It is also the token cache's key (the entry keeps the token, and a hit must equal it): a Map
 * keyed by the token string hashes all of it (~1 KiB) on every lookup, because each request's
 * header is a new string; that hash was the largest single item of the gateway's own code in a
 * reused-token profile (3.7 % of the data plane's CPU, issue 22). A forged token that copies a
 * cached token's signature tail finds that entry, fails the equality, and is verified in full
 * (and, failing, never replaces the entry).
 */
function signatureTag(token: string): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = Math.max(0, token.length - SEEN_TAG_CHARS); i < token.length; i++) {
    const c = token.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 0x200000 + (b >>> 11);
}

/** Freezes a tree of plain objects and arrays (walked with for…in: no array of values per object). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    const obj = value as Record<string, unknown>;
    for (const k in obj) if (Object.hasOwn(obj, k)) deepFreeze(obj[k]);
  }
  return value;
}

@Injectable()
export class TokenVerifier {
  private readonly cache = new ClockCache<number, CachedToken>(CACHE_MAX_ENTRIES, CACHE_MAX_TOKEN_CHARS);
  private readonly seenOnce = new SeenFilter(SEEN_MAX_ENTRIES);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly issuers: TrustedIssuerRegistry,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    private readonly metrics: AuthMetrics,
  ) {
    this.explaining = config.nodeEnv !== 'production';
  }

  /** Outside production a refusal's detail names the failed check (token-refusal-explanation.ts). */
  private readonly explaining: boolean;

  /**
   * `err` with the failed check in its detail outside production; as it is in production. For
   * refusals made after verification too (the gateway's audience check).
   */
  explain(err: InvalidTokenError, token: string | undefined, audience?: string): InvalidTokenError {
    if (!this.explaining || err.reason === 'missing') return err;
    return err.explained(
      explainTokenRefusal(err.reason, token, {
        trustedIssuers: this.issuers.names(),
        maxTokenBytes: this.config.maxTokenBytes,
        maxTokenLifetimeSeconds: this.config.maxTokenLifetimeSeconds,
        clockSkewSeconds: this.config.clockSkewSeconds,
        nowMs: this.clock(),
        audience,
      }),
    );
  }

  /**
   * Verifies a compact JWS access token (without the `Bearer ` prefix) and returns its frozen
   * principal. Throws InvalidTokenError (401, GW-00003) or KeysUnavailableError (503, GW-00014).
   */
  async verify(token: string): Promise<Principal> {
    const now = this.verifyNow(token);
    if (now) return now;
    const started = performance.now();
    try {
      return await this.verifyUncached(token);
    } catch (e) {
      throw this.failure(e, token);
    } finally {
      this.metrics.tokenVerifySeconds.observe((performance.now() - started) / 1000);
    }
  }

  /**
   * The same verification, synchronously, whenever it needs no network: a token verified before
   * (cache), or one whose issuer's keys are at hand. Returns undefined only when the keys must be
   * fetched first (then call `verify`); throws exactly what `verify` would. For the gateway's hot
   * path: no promise per request, which matters because the request logger's AsyncLocalStorage
   * makes every promise pay a hook.
   */
  verifyNow(token: string): Principal | undefined {
    return this.now(token, true);
  }

  /** `verifyNow` for a token `verifyCached` has just missed: the cache is not asked twice. */
  verifyUncachedNow(token: string): Principal | undefined {
    return this.now(token, false);
  }

  private now(token: string, lookInCache: boolean): Principal | undefined {
    const started = performance.now();
    try {
      // Size first, before even hashing the string for the cache lookup.
      if (typeof token !== 'string' || token.length > this.config.maxTokenBytes)
        throw new InvalidTokenError(typeof token === 'string' ? 'too_large' : 'malformed');
      if (lookInCache) {
        const cached = this.fromCache(token);
        if (cached) {
          this.metrics.tokenVerifyCacheHitsTotal.inc();
          return cached;
        }
      }
      const prepared = this.prepare(token);
      const keys = prepared.issuer.keysAtHand(prepared.kid);
      if (!keys) return undefined;
      const principal = this.complete(token, prepared, keys);
      this.metrics.tokenVerifySeconds.observe((performance.now() - started) / 1000);
      return principal;
    } catch (e) {
      throw this.failure(e, token);
    }
  }

  /**
   * The principal of a token verified before and still valid, or undefined (no verification is
   * attempted). Lets the gateway tell a reused token from a new one.
   */
  verifyCached(token: string): Principal | undefined {
    if (typeof token !== 'string' || token.length > this.config.maxTokenBytes) return undefined;
    const principal = this.fromCache(token);
    if (principal) this.metrics.tokenVerifyCacheHitsTotal.inc();
    return principal;
  }

  /** Every failure leaves as InvalidTokenError or KeysUnavailableError, counted by reason. */
  private failure(e: unknown, token: string): InvalidTokenError | KeysUnavailableError {
    const err =
      e instanceof InvalidTokenError || e instanceof KeysUnavailableError
        ? e
        : new InvalidTokenError('internal');
    this.metrics.tokenVerifyFailuresTotal.inc({
      reason: err instanceof InvalidTokenError ? err.reason : 'keys_unavailable',
    });
    return err instanceof InvalidTokenError
      ? this.explain(err, typeof token === 'string' ? token : undefined)
      : err;
  }

  /** Drop every cached verification (e.g. after a key compromise). */
  clearCache(): void {
    this.cache.clear();
    this.seenOnce.clear();
  }

  private fromCache(token: string): Principal | undefined {
    const tag = signatureTag(token);
    const entry = this.cache.get(tag);
    if (!entry || entry.token !== token) return undefined;
    // Still unexpired (the uncached path applies the leeway) and signed by a key that is
    // still published and trusted; otherwise verify again, which gives the right error.
    if (this.clock() < entry.expMs && entry.issuer.isCurrentKey(entry.kid, entry.key)) return entry.principal;
    this.cache.delete(tag);
    return undefined;
  }

  /**
   * A verified token enters the cache on its second use, not its first. A client reuses its
   * token, so that costs one extra verification per token; in exchange tokens used once (a
   * client that fetches a token per call, or a flood of distinct tokens) never push reused ones
   * out, and never fill old space with principals that are garbage right away, which under a
   * new-token-per-request load was most of the gateway's garbage-collection work.
   */
  private admit(tag: number): boolean {
    return this.seenOnce.seenBefore(tag);
  }

  private async verifyUncached(token: string): Promise<Principal> {
    const prepared = this.prepare(token);
    return this.complete(token, prepared, await prepared.issuer.getKeys(prepared.kid));
  }

  /** Everything before the key: structure, header policy, exact issuer, claims. */
  private prepare(token: string): Prepared {
    const { header, payload, signingInput, signature } = parseCompactJws(token, this.config.maxTokenBytes);
    const { alg, kid } = checkHeader(header);

    const iss = payload.iss;
    const issuer = typeof iss === 'string' ? this.issuers.get(iss) : undefined;
    if (!issuer) throw new InvalidTokenError('issuer');

    const claims = checkClaims(payload, {
      clockSkewSeconds: this.config.clockSkewSeconds,
      maxTokenLifetimeSeconds: this.config.maxTokenLifetimeSeconds,
      nowSeconds: this.clock() / 1000,
    });
    return { alg, kid, payload, signingInput, signature, issuer, claims };
  }

  /** The key by kid and type, the signature, expiry again, then the principal (cached on its second use). */
  private complete(token: string, p: Prepared, candidates: readonly VerificationKey[]): Principal {
    const { alg, kid, claims, issuer } = p;
    if (candidates.length === 0) throw new InvalidTokenError('key_unknown');
    const key = candidates.find((k) => k.kty === (alg === 'ES256' ? 'EC' : 'RSA'));
    // An RSA key must never verify an ES256 token and vice versa; a key that declares its alg
    // is bound to it (RFC 7517 §4.4).
    if (!key || (key.alg !== undefined && key.alg !== alg)) throw new InvalidTokenError('key_type');

    if (!verifyJwsSignature(alg, key.key, p.signingInput, p.signature))
      throw new InvalidTokenError('signature');

    // A JWKS fetch may have taken seconds: judge expiry against the time now.
    const nowMs = this.clock();
    if (nowMs / 1000 > claims.exp + this.config.clockSkewSeconds) throw new InvalidTokenError('expired');

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
      claims: p.payload,
    });

    const expMs = claims.exp * 1000;
    const tag = signatureTag(token);
    if (nowMs < expMs && this.admit(tag))
      this.cache.set(tag, { token, principal, expMs, kid, key, issuer }, token.length);
    return principal;
  }
}
