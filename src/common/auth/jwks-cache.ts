/**
 * Keys of one issuer, with the refresh rules of DESIGN §3/§10/§11, on two separate clocks:
 * - the TTL clock: keys older than the TTL are refreshed in the background (requests keep using
 *   the current keys for as long as a fetch may take, `fetchTimeoutMs`); keys older than TTL +
 *   that are not used until a refresh has been tried, so a key the issuer removed is refused
 *   from the next successful refresh on, at most TTL + fetch time after it left — with traffic
 *   or without. A failed refresh is retried every `failedRefreshRetryMs`;
 * - the unknown-kid clock: a token naming a kid we do not know triggers a fetch at most once per
 *   `minRefreshIntervalMs` (30 s), and only that: the cooldown never delays a TTL refresh.
 *   Concurrent callers share one in-flight fetch, so a burst of forged kids costs one request;
 * - a failed fetch (network, HTTP, size, JSON, no usable key) never replaces good keys;
 * - stale-if-error: the last good keys serve until `maxStaleMs` after the last GOOD fetch, then
 *   fail closed (503); an issuer that never had a good fetch is 503 as well.
 * The loader is abstract: HTTP for external issuers, the in-process IssuerKeySource for ours.
 */
import { Logger } from '@nestjs/common';
import type { Clock } from './clock.js';
import { KeysUnavailableError } from './auth-errors.js';
import type { AuthMetrics } from './auth-metrics.js';
import { buildKeySet, InvalidJwksError, type KeySet, type VerificationKey } from './jwk-set.js';
import { JwksFetchError, type JwksLoader } from './jwks-fetch.js';

export type IssuerState = 'ok' | 'stale' | 'down';

export interface IssuerStatus {
  issuer: string;
  builtIn: boolean;
  /** ok: fresh keys; stale: last fetch failed, last good keys still served; down: no usable keys. */
  state: IssuerState;
  keyCount: number;
  /** ISO time of the last good fetch, or null if there never was one. */
  lastGoodFetchAt: string | null;
  lastError: string | null;
}

export interface JwksCacheOptions {
  issuer: string;
  builtIn: boolean;
  loader: JwksLoader;
  clock: Clock;
  ttlMs: number;
  maxStaleMs: number;
  /** Cooldown of refreshes for an unknown kid (only those). */
  minRefreshIntervalMs: number;
  /** After a failed refresh, the next TTL refresh waits this long (stale keys serve meanwhile). */
  failedRefreshRetryMs: number;
  /** Gate for retries while we hold no usable keys (never fetched, or beyond the stale window). */
  noKeysRetryIntervalMs: number;
  /** A load still pending after this long counts as failed (a hung key source must not hang requests). */
  loadTimeoutMs: number;
  /**
   * How long a fetch may take (the fetch timeout): past TTL + this, with no refresh tried since,
   * keys are not used until one is (defaults to loadTimeoutMs).
   */
  fetchTimeoutMs?: number;
  metrics: AuthMetrics;
}

const EMPTY: readonly VerificationKey[] = Object.freeze([]);
const logger = new Logger('JwksCache');

export class JwksCache {
  readonly issuer: string;
  readonly builtIn: boolean;
  private keys: KeySet | null = null;
  private keyCount = 0;
  private lastGoodFetchAt: number | null = null;
  /** Any fetch attempt (the no-keys retry gate and Retry-After). */
  private lastAttemptAt: number | null = null;
  /** The unknown-kid clock. */
  private lastKidMissAttemptAt: number | null = null;
  /** The last failed fetch since the last good one (null after a success). */
  private lastFailedAt: number | null = null;
  private lastError: string | null = 'keys not fetched yet';
  private inFlight: Promise<void> | null = null;
  private forceNext = false;
  private readonly untrack: () => void;

  constructor(private readonly opts: JwksCacheOptions) {
    this.issuer = opts.issuer;
    this.builtIn = opts.builtIn;
    this.untrack = opts.metrics.trackJwks(this);
  }

  /**
   * The keys for `kid` when they can be had without waiting (usable and known), else undefined
   * (then `getKeys` decides whether to fetch). Kicks a background TTL refresh like getKeys.
   */
  keysAtHand(kid: string): readonly VerificationKey[] | undefined {
    const now = this.opts.clock();
    if (!this.hasUsableKeys(now) || this.mustRefreshFirst(now)) return undefined;
    const found = this.keys?.get(kid);
    if (found) this.maybeRefreshInBackground();
    return found;
  }

  /**
   * Candidate keys for `kid` (empty when unknown even after an allowed refresh).
   * Throws KeysUnavailableError (503) when no trustworthy key set exists.
   */
  async getKeys(kid: string): Promise<readonly VerificationKey[]> {
    const atHand = this.keysAtHand(kid);
    if (atHand) return atHand;
    let fetched = false;
    if (!this.hasUsableKeys(this.opts.clock())) {
      if (this.inFlight || this.mayAttempt(this.opts.noKeysRetryIntervalMs)) await this.refreshShared();
      if (!this.hasUsableKeys(this.opts.clock()))
        throw new KeysUnavailableError(this.issuer, this.retryAfterSeconds());
      fetched = true;
    } else if (this.mustRefreshFirst(this.opts.clock())) {
      // Past TTL + fetch time with no refresh tried: try one before trusting these keys. If it
      // fails, the last good keys serve (stale-if-error) and the failure sets the retry clock.
      await this.refreshShared();
      fetched = true;
    } else {
      this.maybeRefreshInBackground();
    }
    const found = this.keys?.get(kid);
    if (found || fetched) return found ?? EMPTY;
    // Unknown kid: maybe a rotation. Ask again, but never more than once per cooldown.
    if (this.inFlight || this.mayRefreshForUnknownKid()) {
      this.lastKidMissAttemptAt = this.opts.clock();
      await this.refreshShared();
      if (!this.hasUsableKeys(this.opts.clock()))
        throw new KeysUnavailableError(this.issuer, this.retryAfterSeconds());
    }
    return this.keys?.get(kid) ?? EMPTY;
  }

  /**
   * Synchronous check used on verified-token cache hits: is this exact key still published and
   * within the stale window? Lets a key removal (or an expired window) take effect on cached
   * tokens too. Also kicks a background TTL refresh.
   */
  isCurrentKey(kid: string, key: VerificationKey): boolean {
    const now = this.opts.clock();
    if (!this.hasUsableKeys(now) || this.mustRefreshFirst(now)) return false;
    this.maybeRefreshInBackground();
    return this.keys?.get(kid)?.includes(key) ?? false;
  }

  /** Make the next lookup refresh regardless of the interval (e.g. after a local key rotation). */
  invalidate(): void {
    this.forceNext = true;
  }

  /** Fetch now (shares an in-flight fetch); never rejects. */
  refresh(): Promise<void> {
    return this.refreshShared();
  }

  /** Resolves when no fetch is in flight (tests, orderly shutdown); never rejects. */
  whenIdle(): Promise<void> {
    return this.inFlight ?? Promise.resolve();
  }

  /** Background warm-up (e.g. at boot) unless a fetch is in flight or just happened. */
  warmUp(): void {
    this.maybeRefreshInBackground(true);
  }

  status(): IssuerStatus {
    const now = this.opts.clock();
    this.maybeRefreshInBackground();
    const usable = this.hasUsableKeys(now);
    return {
      issuer: this.issuer,
      builtIn: this.builtIn,
      state: !usable ? 'down' : this.lastError ? 'stale' : 'ok',
      keyCount: usable ? this.keyCount : 0,
      lastGoodFetchAt: this.lastGoodFetchAt === null ? null : new Date(this.lastGoodFetchAt).toISOString(),
      lastError: this.lastError,
    };
  }

  usableKeyCount(): number {
    return this.hasUsableKeys(this.opts.clock()) ? this.keyCount : 0;
  }

  keyAgeSeconds(): number | null {
    return this.lastGoodFetchAt === null
      ? null
      : Math.max(0, (this.opts.clock() - this.lastGoodFetchAt) / 1000);
  }

  /** Stop reporting metrics for this cache (app shutdown). */
  close(): void {
    this.untrack();
  }

  private hasUsableKeys(now: number): boolean {
    return (
      this.keys !== null &&
      this.lastGoodFetchAt !== null &&
      now - this.lastGoodFetchAt <= this.opts.maxStaleMs
    );
  }

  private mayAttempt(intervalMs: number): boolean {
    if (this.forceNext || this.lastAttemptAt === null) return true;
    return this.opts.clock() - this.lastAttemptAt >= intervalMs;
  }

  private mayRefreshForUnknownKid(): boolean {
    if (this.forceNext || this.lastKidMissAttemptAt === null) return true;
    return this.opts.clock() - this.lastKidMissAttemptAt >= this.opts.minRefreshIntervalMs;
  }

  /** Keys are past their TTL (or the next lookup was forced) and the TTL clock allows a fetch. */
  private ttlRefreshDue(now: number): boolean {
    if (this.forceNext || this.lastGoodFetchAt === null) return true;
    if (now - this.lastGoodFetchAt < this.opts.ttlMs) return false;
    return this.lastFailedAt === null || now - this.lastFailedAt >= this.opts.failedRefreshRetryMs;
  }

  /**
   * The keys have outlived TTL + the time a fetch may take without any refresh having been tried
   * since (no traffic kicked one): they may no longer be what the issuer publishes.
   */
  private mustRefreshFirst(now: number): boolean {
    return (
      this.lastGoodFetchAt !== null &&
      this.lastFailedAt === null &&
      now - this.lastGoodFetchAt >= this.opts.ttlMs + (this.opts.fetchTimeoutMs ?? this.opts.loadTimeoutMs)
    );
  }

  private retryAfterSeconds(): number {
    const since = this.lastAttemptAt === null ? 0 : this.opts.clock() - this.lastAttemptAt;
    return Math.max(1, (this.opts.noKeysRetryIntervalMs - since) / 1000);
  }

  private maybeRefreshInBackground(always = false): void {
    if (this.inFlight) return;
    if (this.keys === null) {
      if (this.mayAttempt(this.opts.noKeysRetryIntervalMs)) void this.refreshShared();
      return;
    }
    if ((always && this.mayAttempt(this.opts.failedRefreshRetryMs)) || this.ttlRefreshDue(this.opts.clock()))
      void this.refreshShared();
  }

  private refreshShared(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.forceNext = false;
    this.lastAttemptAt = this.opts.clock();
    this.inFlight = this.fetchOnce().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** One fetch; records the outcome and never throws. */
  private async fetchOnce(): Promise<void> {
    const labels = { issuer: this.issuer };
    this.opts.metrics.jwksRefreshTotal.inc(labels);
    try {
      const doc = await withTimeout(this.opts.loader(), this.opts.loadTimeoutMs);
      const built = buildKeySet(doc);
      if (built.usable === 0) throw new JwksFetchError(`no usable keys (${built.dropped} dropped)`);
      const recovered = this.lastError !== null && this.lastGoodFetchAt !== null;
      this.keys = this.keys ? keepUnchangedKeys(this.keys, built.keys) : built.keys;
      this.keyCount = built.usable;
      this.lastGoodFetchAt = this.opts.clock();
      this.lastFailedAt = null;
      this.lastError = null;
      if (recovered) logger.log(`JWKS for ${this.issuer} recovered (${built.usable} keys)`);
    } catch (e) {
      // Only messages we wrote ourselves reach /health/ready; a key source's own error text
      // (the built-in source talks to the database) is logged, not published.
      const known = e instanceof JwksFetchError || e instanceof InvalidJwksError;
      const message = known ? e.message : 'key source failed';
      if (this.lastError !== message) {
        logger.warn(`JWKS refresh for ${this.issuer} failed: ${known ? message : String(e).slice(0, 300)}`);
      }
      this.lastError = message;
      this.lastFailedAt = this.opts.clock();
      this.opts.metrics.jwksRefreshFailuresTotal.inc(labels);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new JwksFetchError(`timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Reuse the previous VerificationKey object for every key that did not change, so identity
 * checks on cached tokens (isCurrentKey) survive a routine TTL refresh and jose's per-KeyObject
 * CryptoKey cache stays warm.
 */
function keepUnchangedKeys(previous: KeySet, next: KeySet): KeySet {
  const merged = new Map<string, VerificationKey[]>();
  for (const [kid, candidates] of next) {
    const old = previous.get(kid) ?? EMPTY;
    merged.set(
      kid,
      candidates.map((k) => old.find((o) => o.kty === k.kty && o.alg === k.alg && o.key.equals(k.key)) ?? k),
    );
  }
  return merged;
}
