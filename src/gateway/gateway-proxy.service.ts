/**
 * `ANY /proxy/{name}/{path}` (DESIGN §4.9): the checks, in the order the design fixes, each
 * with its own status and problem code, then the proxied call.
 *
 *   request shape (400, the target itself was checked server-wide before routing)
 *   → route exists (404 GW-00001) → token verified (401 GW-00003 / 503 GW-00014)
 *   → scopes (403 GW-00004) → exactly one consent detail (403 GW-00005)
 *   → its rights give the API's action on one of its resources (403 GW-00006)
 *   → `to` = consumer (403 GW-00007) → access list when enabled (403 GW-00008)
 *   → consent active and equal to the stored one (401 GW-00009)
 *   → subject = `from` (403 GW-00010) → rate limits (429 GW-00011) → body size (413 GW-00016)
 *   → one-time claim (401 GW-00009) → upstream (502 GW-00012 / 504 GW-00013).
 *
 * Hot path (reused token): the verifier's token cache, the parsed consent detail memoised per
 * verified principal, routes, resource policy, access-list answers and consent state from
 * memory; no database round-trip. Usage counts are batched; metrics use pre-bound children.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InvalidTokenError, KeysUnavailableError } from '../common/auth/auth-errors.js';
import { extractBearerToken } from '../common/auth/auth.guard.js';
import type { Principal } from '../common/auth/principal.js';
import { TokenVerifier } from '../common/auth/token-verifier.js';
import { DomainError } from '../common/errors/domain-error.js';
import { isDatabaseUnavailable } from '../common/errors/prisma-error-map.js';
import { unavailabilityLog } from '../prisma/database-unavailable.js';
import { PROBLEM_JSON, problemBody } from '../common/errors/problem-details.filter.js';
import { traceIdFor } from '../common/errors/trace-id.js';
import { orgUrn } from '../common/identifiers/party-urn.js';
import { TokenBucketLimiter } from '../common/rate-limit/token-bucket.limiter.js';
import { AccessListsService } from '../access-lists/access-lists.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ConsentsService } from '../consents/consents.service.js';
import { upstreamPath, type ApiRoute } from './api-route.js';
import { ApiRouteTable } from './api-route-table.js';
import {
  findMatchingRight,
  parseConsentDetail,
  ConsentDetailMemo,
  type ConsentDetail,
  type RightMatch,
} from './consent-detail.js';
import {
  GatewayStateCache,
  toConsentState,
  type ConsentState,
  type ResourcePolicy,
} from './consent-state.cache.js';
import * as E from './gateway-errors.js';
import { GatewayMetrics, type ApiMetrics } from './gateway-metrics.js';
import { OneTimeClaims } from './one-time-claims.js';
import { upstreamRequestHeaders } from './proxy-headers.js';
import {
  CLIENT_CLOSED,
  CLIENT_CLOSED_STATUS,
  UpstreamExchange,
  type ExchangeOwner,
} from './upstream-exchange.js';
import { requestShapeError } from '../common/http/request-target.js';
import { bodyMayCarryParams, subjectQueryValue } from './subject-query.js';
import { UpstreamPools } from './upstream-pools.js';
import { UsageRecorder } from './usage-recorder.js';

const PREFIX_LENGTH = '/proxy/'.length;
/** Unread request bodies up to this size are drained (keep-alive survives); larger → close. */
const DRAIN_LIMIT = 64 * 1024;
/** Headers a request may carry only once: two values would be ambiguous between us and upstream. */
const SINGLE_HEADERS = new Map<string, number>(
  ['authorization', 'host', 'content-length', 'transfer-encoding', 'content-type'].map((n, i) => [n, 1 << i]),
);

/** Request ids for upstream calls: a per-process random prefix and a counter (no syscall per request). */
const ID_PREFIX = `gw${randomBytes(6).toString('hex')}`;
let idCounter = 0;
function nextRequestId(): string {
  idCounter = (idCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${ID_PREFIX}-${idCounter.toString(36)}`;
}

/** True for `/proxy`, `/proxy/…` and `/proxy?…` (the gateway's part of the URL space). */
export function isProxyTarget(url: string | undefined): boolean {
  if (!url || !url.startsWith('/proxy')) return false;
  const c = url.charCodeAt(6);
  return Number.isNaN(c) || c === 0x2f || c === 0x3f;
}

/** What the checks established, for the forwarding step. */
interface Verified {
  principal: Principal;
  detail: ConsentDetail;
  match: RightMatch;
  /** Claim token when the call holds a one-time consent. */
  claim: string | null;
  body: 'none' | 'sized' | 'chunked';
}

/** One call through the gateway: what is known so far, carried across database reads. */
interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  route: ApiRoute;
  /** The target after `/proxy/{name}` ('' or starting with `/` or `?`). */
  rest: string;
  t0: number;
  metrics: ApiMetrics;
  /** For usage counters: '' until known. */
  consumer: string;
  consent: string;
  principal?: Principal;
  /** The principal came from the verifier's cache: worth memoising what is derived from it. */
  reusedPrincipal?: boolean;
  /** Values read on a cache miss (undefined = not read yet). */
  policy?: ResourcePolicy | null;
  allowed?: boolean;
  stored?: ConsentState | null;
  rated?: boolean;
  claim?: string;
  /** Set when forwarding. */
  verified?: Verified;
  /** The release of a one-time claim, once started. */
  released?: Promise<void>;
  sentAt: number;
  /** Lowercase names of `req.rawHeaders`, computed once. */
  names: string[];
}

/**
 * Client aborts: one 'close' listener per client connection (kept alive across its requests)
 * instead of one per request; it aborts whichever upstream call the connection has in flight.
 */
const kExchange = Symbol('gateway.exchange');
type WatchedSocket = Socket & { [kExchange]?: UpstreamExchange<Call> | null };

function onClientSocketClose(this: WatchedSocket): void {
  const exchange = this[kExchange];
  this[kExchange] = null;
  exchange?.clientClosed();
}

function watchClient(socket: Socket, exchange: UpstreamExchange<Call>): void {
  const s = socket as WatchedSocket;
  if (s[kExchange] === undefined) s.once('close', onClientSocketClose);
  s[kExchange] = exchange;
}

function unwatchClient(socket: Socket): void {
  (socket as WatchedSocket)[kExchange] = null;
}

/** `decide` started a database read and will continue on its own. */
const WAIT = Symbol('wait');

/**
 * The bearer token, or the 401 to answer. The common exact form `Bearer <token>` is taken
 * without a regex over the (up to 8 KiB) token; the verifier checks the token's syntax anyway.
 */
function bearerToken(header: string | undefined): string | DomainError {
  if (
    header !== undefined &&
    header.startsWith('Bearer ') &&
    header.length > 7 &&
    header.indexOf(' ', 7) === -1
  )
    return header.slice(7);
  const token = extractBearerToken(header);
  if (token === 'absent') return E.invalidToken('missing');
  if (token === 'malformed') return E.invalidToken('malformed');
  return token;
}

/** The gateway's code for a verifier failure (401 GW-00003 or 503 GW-00014). */
function tokenProblem(e: unknown): DomainError {
  return e instanceof InvalidTokenError
    ? e.withCode(E.GW.invalidToken)
    : e instanceof KeysUnavailableError
      ? e.withCode(E.GW.keysUnavailable)
      : E.invalidToken();
}

class BodyLimitExceeded extends Error {}

@Injectable()
export class GatewayProxyService implements ExchangeOwner<Call> {
  private readonly logger = new Logger('Gateway');
  private readonly logCalls: boolean;
  private readonly pools: UpstreamPools;
  private readonly limiter = new TokenBucketLimiter();
  /** Parsed consent detail (or its refusal) per verified principal; principals are cached per token. */
  private readonly details = new WeakMap<Principal, ConsentDetail | DomainError>();
  /** Parsed consent details per consent id: a new token's detail is compared, not parsed again. */
  private readonly detailMemo = new ConsentDetailMemo();
  private inFlight = 0;
  private draining = false;
  private drained: (() => void) | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly verifier: TokenVerifier,
    private readonly routes: ApiRouteTable,
    private readonly state: GatewayStateCache,
    private readonly accessLists: AccessListsService,
    private readonly consents: ConsentsService,
    private readonly claims: OneTimeClaims,
    private readonly usage: UsageRecorder,
    private readonly metrics: GatewayMetrics,
  ) {
    // Production never connects to loopback, link-local or metadata addresses (RT-8).
    this.pools = new UpstreamPools({ guardAddresses: config.nodeEnv === 'production' });
    routes.onChange(() => this.pools.retain(new Set(this.routes.all().map((r) => r.origin))));
    this.logCalls = ['info', 'debug', 'trace'].includes(config.logLevel);
  }

  /**
   * Shutdown (GatewayModule, before Prisma disconnects): refuse new calls, wait (bounded by the
   * shutdown grace) for the ones in flight, then close the upstream pools.
   */
  async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        setTimeout(resolve, this.config.shutdownGraceMs).unref();
      });
    }
    await this.pools.closeAll();
  }

  get callsInFlight(): number {
    return this.inFlight;
  }

  /**
   * Every request under `/proxy`, on the raw Node request and response: called ahead of Fastify's
   * router for real traffic (GatewayModule) and from the Fastify route for injected requests.
   * Never throws; always answers.
   */
  handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      this.handleCall(req, res);
    } catch (err) {
      // A bug must not take the process down (this runs in the server's 'request' listener).
      this.logger.error(
        `gateway failed on ${req.method} ${(req.url ?? '').split('?')[0]}: ${(err as Error)?.stack ?? String(err)}`,
      );
      const problem = new DomainError(
        500,
        'STD-00500',
        'An unexpected error occurred. Quote the traceId when reporting it.',
      );
      if (!res.headersSent) writeProblem(req, res, nextRequestId(), problem);
      else res.destroy();
    }
  }

  private handleCall(req: IncomingMessage, res: ServerResponse): void {
    const t0 = performance.now();
    const url = req.url ?? '';
    const requestId = nextRequestId();

    // Request shape first (400 GW-00002): the target and head, a token in the query, ambiguous headers.
    const names = requestShapeError(req, E.GW.badTarget) ?? headerNames(req.rawHeaders);
    if (names instanceof DomainError) {
      this.metrics.api('').count(names.code);
      writeProblem(req, res, requestId, names);
      return;
    }

    let end = PREFIX_LENGTH;
    if (url.charCodeAt(PREFIX_LENGTH - 1) === 0x2f) {
      while (end < url.length) {
        const c = url.charCodeAt(end);
        if (c === 0x2f || c === 0x3f) break;
        end++;
      }
    } else end = PREFIX_LENGTH - 1;
    const name = url.slice(PREFIX_LENGTH, end);
    const route = name ? this.routes.get(name) : undefined;
    if (!route) {
      this.metrics.api('').count(E.GW.unknownApi);
      writeProblem(req, res, requestId, E.unknownApi());
      return;
    }
    if (this.draining) {
      writeProblem(req, res, requestId, E.shuttingDown(), true);
      return;
    }

    this.inFlight++;
    const call: Call = {
      req,
      res,
      requestId,
      route,
      rest: url.slice(end),
      t0,
      metrics: this.routes.metricsFor(route.name),
      consumer: '',
      consent: '',
      sentAt: 0,
      names,
    };

    // Token (401 GW-00003 / 503 GW-00014).
    const token = bearerToken(req.headers.authorization);
    if (typeof token !== 'string') {
      this.fail(call, token);
      return;
    }
    const cached = this.verifier.verifyCached(token);
    if (cached) {
      call.principal = cached;
      call.reusedPrincipal = true;
      this.proceed(call);
      return;
    }
    // A new token: verified synchronously when the issuer's keys are at hand (no promise).
    let principal: Principal | undefined;
    try {
      principal = this.verifier.verifyUncachedNow(token);
    } catch (e) {
      this.fail(call, tokenProblem(e));
      return;
    }
    if (principal) {
      call.principal = principal;
      this.proceed(call);
      return;
    }
    this.verifier.verify(token).then(
      (p) => {
        call.principal = p;
        this.proceed(call);
      },
      (e: unknown) => this.fail(call, tokenProblem(e)),
    );
  }

  // ───────────────────────── checks ─────────────────────────

  /** Runs the checks; forwards, refuses, or waits for a database read and runs them again. */
  private proceed(call: Call): void {
    let verdict: Verified | typeof WAIT;
    try {
      verdict = this.decide(call);
    } catch (err) {
      this.fail(call, err);
      return;
    }
    if (verdict === WAIT) return;
    call.metrics.check.observe((performance.now() - call.t0) / 1000);
    this.forward(call, verdict);
  }

  /** Waits for `load`, stores its result with `keep`, then runs the checks again. */
  private resumeAfter<T>(call: Call, load: Promise<T>, keep: (v: T) => void): typeof WAIT {
    load.then(
      (v) => {
        keep(v);
        this.proceed(call);
      },
      (err: unknown) => this.fail(call, err),
    );
    return WAIT;
  }

  /**
   * The checks after the token, synchronous while everything is in memory (the common case: no
   * promise, no database). A cache miss starts one read and returns WAIT; the checks then run
   * again from the top with the value kept on `call` (the steps before it are cheap and pure).
   */
  private decide(call: Call): Verified | typeof WAIT {
    const { route, req } = call;
    const principal = call.principal!;
    const headers = req.headers;
    call.consumer = principal.consumer;
    if (route.audience !== null && !audienceContains(principal.claims.aud, route.audience))
      throw E.invalidToken();

    // Scopes (403 GW-00004); a token without any `scope` claim is refused here too.
    if (principal.claims.scope === undefined) throw E.insufficientScope(route.requiredScopes);
    for (const s of route.requiredScopes)
      if (!principal.scopes.has(s)) throw E.insufficientScope(route.requiredScopes);

    // Exactly one consent detail (403 GW-00005; a malformed field inside it: 401 GW-00009).
    const detail = this.detailOf(principal, call.reusedPrincipal === true);
    call.consent = detail.id;

    // Its rights cover this API (403 GW-00006).
    const match = findMatchingRight(detail, route.consentResources, route.requiredAction);
    if (!match) throw E.consentCoverage(route.requiredAction);

    // Given to the caller (403 GW-00007).
    if (detail.toOrg !== principal.consumer) throw E.consentTo();

    // Access list (403 GW-00008).
    if (call.policy === undefined) {
      const cached = this.state.resources.peek(match.resource);
      if (cached === undefined)
        return this.resumeAfter(call, this.state.resources.load(match.resource), (v) => (call.policy = v));
      call.policy = cached;
    }
    if (!call.policy) throw E.consentCoverage(route.requiredAction); // the resource was deleted
    if (call.policy.accessListEnabled) {
      if (call.allowed === undefined) {
        const cached = this.accessLists.isAllowedCached(
          principal.consumer,
          match.resource,
          route.requiredAction,
        );
        this.metrics.countCacheLookup('access_list', cached !== undefined);
        if (cached === undefined)
          return this.resumeAfter(
            call,
            this.accessLists.isAllowed(principal.consumer, match.resource, route.requiredAction),
            (v) => (call.allowed = v),
          );
        call.allowed = cached;
      }
      if (!call.allowed) throw E.notOnAccessList();
    }

    // Consent active and as stored (401 GW-00009).
    const now = Date.now();
    if (route.consentSource === 'local') {
      if (call.stored === undefined) {
        const cached = this.state.consents.peek(detail.id);
        if (cached === undefined)
          return this.resumeAfter(call, this.state.consents.load(detail.id), (v) => (call.stored = v));
        call.stored = cached;
      }
      assertMatchesStored(detail, call.stored, now);
    } else {
      // Token mode: the signed detail is trusted (revocation lasts until the token expires).
      if (detail.validToMs <= now) throw E.consentInactive('The consent has expired.');
      if (detail.consentedMs > now + this.config.clockSkewSeconds * 1000)
        throw E.consentInactive('The consent is not yet in force.');
      // But a one-time consent this service holds is used up here as in local mode (the claim
      // below): trusting the token alone let it be used any number of times and never marked
      // `used`, so new tokens kept coming (red-team finding RT-7). Consents held elsewhere are
      // unknown here (null) and stay the external issuer's to count.
      if (call.stored === undefined) {
        const cached = this.state.consents.peek(detail.id);
        if (cached === undefined)
          return this.resumeAfter(call, this.state.consents.load(detail.id), (v) => (call.stored = v));
        call.stored = cached;
      }
    }

    // Subject (403 GW-00010).
    if (route.subject) checkSubject(req, route, detail);

    // Rate limits (429 GW-00011), once per call, only for calls that would otherwise pass.
    const rl = route.rateLimit;
    if (rl && !call.rated) {
      call.rated = true;
      if (rl.perConsumer) {
        const wait = this.limiter.take(`${route.name}\u0000c\u0000${principal.consumer}`, rl.perConsumer);
        if (wait > 0) throw E.rateLimited(wait, 'consumer');
      }
      if (rl.perConsent) {
        const wait = this.limiter.take(`${route.name}\u0000k\u0000${detail.id}`, rl.perConsent);
        if (wait > 0) throw E.rateLimited(wait, 'consent');
      }
    }

    // Body size (413 GW-00016): a declared length is judged now; a chunked body while streaming.
    const body = bodyKind(headers['content-length'], headers['transfer-encoding']);
    if (body === 'sized' && Number(headers['content-length']) > route.maxBodyBytes)
      throw E.bodyTooLarge(route.maxBodyBytes);

    // One-time consent: claim it across replicas, then confirm against the database (not the
    // cache) that it is still usable, so a call that raced another call's `used` cannot pass.
    if (call.stored?.isOneTime && call.claim === undefined)
      return this.resumeAfter(call, this.claimOneTime(detail, route), (claim) => (call.claim = claim));

    return { principal, detail, match, claim: call.claim ?? null, body };
  }

  private async claimOneTime(detail: ConsentDetail, route: ApiRoute): Promise<string> {
    const claim = await this.claims.claim(detail.id, route.timeoutMs);
    if (!claim) throw E.consentInactive('The one-time consent is being used by another call.');
    try {
      const fresh = await this.consents.findById(detail.id);
      assertMatchesStored(detail, fresh ? toConsentState(fresh) : null, Date.now());
    } catch (err) {
      await this.releaseClaim(detail.id, claim);
      throw err;
    }
    return claim;
  }

  private fail(call: Call, err: unknown): void {
    call.metrics.check.observe((performance.now() - call.t0) / 1000);
    const problem = this.toProblem(err, call.requestId);
    call.metrics.count(problem.code);
    this.usage.record(call.route.name, call.consumer, call.consent, problem.code);
    writeProblem(call.req, call.res, call.requestId, problem);
    this.accessLog(call, problem.status, problem.code);
    this.callEnded();
  }

  /**
   * The parsed consent detail, memoised per cached principal. A principal verified just now is
   * usually a token's first use and garbage after this call: memoising it would only add to the
   * WeakMap the garbage collector must process, so it is parsed without being remembered.
   */
  private detailOf(principal: Principal, memoise: boolean): ConsentDetail {
    let d = memoise ? this.details.get(principal) : undefined;
    if (d === undefined) {
      this.metrics.countCacheLookup('token', false);
      try {
        d = parseConsentDetail(principal.authorizationDetails, this.detailMemo);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        d = err;
      }
      if (memoise) this.details.set(principal, d);
    } else this.metrics.countCacheLookup('token', true);
    if (d instanceof DomainError) throw d;
    return d;
  }

  // ───────────────────────── forwarding ─────────────────────────

  private forward(call: Call, v: Verified): void {
    const { req, res, route } = call;
    call.verified = v;
    let body: unknown = null;
    if (v.body === 'sized') body = req;
    else if (v.body === 'chunked') body = limitBody(req, route.maxBodyBytes);

    const exchange = new UpstreamExchange<Call>(res, this, call);
    watchClient(req.socket, exchange);
    // Gone while the checks ran (a database read, a key fetch): nothing to forward.
    if (req.socket.destroyed) exchange.clientClosed();
    const headers = upstreamRequestHeaders(req.rawHeaders, call.names, req.headers.connection, {
      consentId: v.detail.id,
      fromUrn: v.detail.fromUrn,
      toUrn: v.detail.toUrn,
      metadataHeader: v.match.right.metadataHeader,
      clientIp: req.socket.remoteAddress ?? '',
      proto: (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
      requestId: call.requestId,
      subjectHeader: route.subject?.in === 'header' ? route.subject.key : null,
    });
    call.sentAt = performance.now();
    try {
      this.pools.get(route.origin).dispatch(
        {
          path: upstreamPath(route.basePath, call.rest),
          method: req.method ?? 'GET',
          headers,
          body: body as never,
          headersTimeout: route.timeoutMs,
          bodyTimeout: route.timeoutMs,
        },
        exchange,
      );
    } catch (err) {
      exchange.onResponseError(null as never, err as Error);
    }
  }

  // ───────────── ExchangeOwner<Call>: what the upstream exchange reports ─────────────

  onHead(call: Call): void {
    call.metrics.upstream.observe((performance.now() - call.sentAt) / 1000);
  }

  /**
   * Calls under a one-time consent only. A 2xx is withheld until the consent is marked `used`;
   * any other answer until the claim is released, so a client that retries at once after a
   * failed call is not refused because the claim of its own previous call is still there.
   */
  gate(call: Call, statusCode: number): Promise<DomainError | null> | null {
    const v = call.verified;
    if (!v?.claim) return null;
    if (statusCode < 200 || statusCode >= 300) return this.releaseOnce(call).then(() => null);
    return this.markUsed(v).then(async (refusal) => {
      await this.releaseOnce(call);
      return refusal;
    });
  }

  mapError(call: Call, err: Error): DomainError {
    return mapUpstreamError(err, call.route.maxBodyBytes);
  }

  writeProblem(call: Call, problem: DomainError): void {
    if (problem.status >= 500)
      this.logger.warn(`${call.route.name}: ${problem.code} ${problem.detail} (request ${call.requestId})`);
    // Under a one-time consent the claim goes first (see gate), then the answer.
    if (call.verified?.claim && !call.released)
      void this.releaseOnce(call).then(() => writeProblem(call.req, call.res, call.requestId, problem));
    else writeProblem(call.req, call.res, call.requestId, problem);
  }

  done(call: Call, outcome: string): void {
    unwatchClient(call.req.socket);
    call.metrics.count(outcome);
    this.usage.record(call.route.name, call.consumer, call.consent, outcome);
    const v = call.verified;
    if (v?.claim) void this.releaseOnce(call);
    this.accessLog(call, outcome === CLIENT_CLOSED ? CLIENT_CLOSED_STATUS : call.res.statusCode, outcome);
    this.callEnded();
  }

  /**
   * One structured line per call at `info` (proxied calls bypass the HTTP request logger). The
   * query string and the subject header are left out: they usually carry a national identity
   * number. Skipped entirely below `info`, so it costs nothing in production at `warn`.
   */
  private accessLog(call: Call, status: number, outcome: string): void {
    if (!this.logCalls) return;
    const url = call.req.url ?? '';
    const q = url.indexOf('?');
    this.logger.log({
      msg: 'gateway call',
      reqId: call.requestId,
      api: call.route.name,
      method: call.req.method,
      path: q === -1 ? url : url.slice(0, q),
      status,
      outcome,
      consumer: call.consumer || undefined,
      consent: call.consent || undefined,
      ms: Number((performance.now() - call.t0).toFixed(2)),
    });
  }

  /** Gate for a one-time consent's first 2xx: `used` is written before the answer goes out. */
  private async markUsed(v: Verified): Promise<DomainError | null> {
    try {
      const won = await this.consents.markUsed(v.detail.id, orgUrn(v.principal.consumer));
      this.state.consents.invalidate(v.detail.id);
      return won ? null : E.consentInactive();
    } catch (err) {
      return this.toProblem(err, `one-time ${v.detail.id}`);
    }
  }

  private releaseClaim(consentId: string, token: string): Promise<void> {
    return this.claims.release(consentId, token).catch((err: unknown) => {
      this.logger.warn(
        `could not release one-time claim of ${consentId} (it expires): ${(err as Error).message}`,
      );
    });
  }

  /** Releases the call's one-time claim once (never rejects). */
  private releaseOnce(call: Call): Promise<void> {
    const v = call.verified;
    if (!v?.claim) return Promise.resolve();
    call.released ??= this.releaseClaim(v.detail.id, v.claim);
    return call.released;
  }

  // ───────────────────────── answers ─────────────────────────

  private toProblem(err: unknown, context: string): DomainError {
    if (err instanceof DomainError) return err;
    if (isDatabaseUnavailable(err)) {
      unavailabilityLog.note(err, `gateway (${context})`);
      return E.databaseUnavailable();
    }
    this.logger.error(`gateway check failed (${context}): ${(err as Error)?.stack ?? String(err)}`);
    return new DomainError(
      500,
      'STD-00500',
      'An unexpected error occurred. Quote the traceId when reporting it.',
    );
  }

  private callEnded(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.drained) this.drained();
  }
}

// ───────────────────────── helpers (pure) ─────────────────────────

/**
 * The lowercase header names (reused when building the upstream request), or 400 GW-00002 for
 * headers whose meaning would be ambiguous between the gateway and the upstream.
 */
function headerNames(rawHeaders: readonly string[]): string[] | DomainError {
  const names: string[] = new Array<string>(rawHeaders.length >> 1);
  let seen = 0; // bits of SINGLE_HEADERS met so far: no Set per request
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    names[i >> 1] = name;
    const bit = SINGLE_HEADERS.get(name);
    if (bit === undefined) continue;
    if (seen & bit)
      return new DomainError(400, E.GW.badTarget, `The request carries the ${name} header more than once.`, {
        title: 'Bad Request',
      });
    seen |= bit;
    if (name === 'transfer-encoding' && rawHeaders[i + 1].trim().toLowerCase() !== 'chunked')
      return new DomainError(400, E.GW.badTarget, 'Only "Transfer-Encoding: chunked" is accepted.', {
        title: 'Bad Request',
      });
  }
  return names;
}

function audienceContains(aud: unknown, expected: string): boolean {
  if (typeof aud === 'string') return aud === expected;
  return Array.isArray(aud) && aud.includes(expected);
}

/** Local mode: the stored consent must exist, be accepted and unexpired, and equal the token's. */
function assertMatchesStored(detail: ConsentDetail, stored: ConsentState | null, now: number): void {
  if (!stored) throw E.consentInactive('The consent is unknown.');
  if (stored.status !== 'accepted' || stored.validToMs <= now)
    throw E.consentInactive(`The consent is ${stored.validToMs <= now ? 'expired' : stored.status}.`);
  if (
    stored.fromUrn !== detail.fromUrn ||
    stored.toOrg !== detail.toOrg ||
    stored.validToMs !== detail.validToMs ||
    stored.consentedMs !== detail.consentedMs ||
    stored.rightsKey !== detail.rightsKey
  )
    throw E.consentInactive('The consent in the token does not match the stored consent.');
}

function checkSubject(req: IncomingMessage, route: ApiRoute, detail: ConsentDetail): void {
  const subject = route.subject!;
  let value: unknown;
  if (subject.in === 'header') {
    value = req.headers[subject.key];
  } else {
    // A form or JSON body would be merged with the query by the upstream's framework (RT-2).
    if (bodyMayCarryParams(req.headers)) throw E.subjectInBodyPossible(subject.name);
    value = subjectQueryValue(req.url ?? '', subject.name);
  }
  // The accepted forms (bare number, party URN) are exact, so comparing with the consent's own
  // two forms is the same as parsing the value and comparing parties, without the checksums.
  if (value !== detail.from.id && value !== detail.fromUrn)
    throw E.subjectMismatch(
      subject.in === 'header' ? `header ${subject.name}` : `query parameter ${subject.name}`,
    );
}

function bodyKind(contentLength: string | undefined, transferEncoding: string | undefined): Verified['body'] {
  if (transferEncoding !== undefined) return 'chunked';
  if (contentLength !== undefined && contentLength !== '0') return 'sized';
  return 'none';
}

/** Streams a body of unknown length, failing once it exceeds `max` bytes. */
async function* limitBody(src: AsyncIterable<Buffer>, max: number): AsyncGenerator<Buffer> {
  let n = 0;
  for await (const chunk of src) {
    n += chunk.length;
    if (n > max) throw new BodyLimitExceeded();
    yield chunk;
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function mapUpstreamError(err: Error, max: number): DomainError {
  if (err instanceof BodyLimitExceeded) return E.bodyTooLarge(max);
  const code = (err as { code?: string }).code;
  if (code && TIMEOUT_CODES.has(code)) return E.upstreamTimeout();
  return E.upstreamUnavailable();
}

/**
 * A problem+json answer on the raw response (RFC 9457, same body as the global filter's). An
 * unread large request body would be drained byte by byte to keep the connection: close instead.
 */
function writeProblem(
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  problem: DomainError,
  close = false,
): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(problemBody(problem, traceIdFor(req.headers, requestId)));
  const headers: Record<string, string | number> = {
    'content-type': PROBLEM_JSON,
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
  };
  for (const [k, v] of Object.entries(problem.headers ?? {})) headers[k.toLowerCase()] = v;
  const h = req.headers;
  if (close || h['transfer-encoding'] !== undefined || Number(h['content-length'] ?? 0) > DRAIN_LIMIT)
    headers.connection = 'close';
  res.writeHead(problem.status, headers);
  res.end(body);
}
