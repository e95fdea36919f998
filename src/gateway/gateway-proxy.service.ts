/**
 * `ANY /proxy/{name}/{path}` (DESIGN §4.9): reads the request, runs the checks in the order the
 * design fixes (checks/, driven by CheckPipeline), then forwards (UpstreamForwarder).
 *
 *   request shape (400, the target itself was checked server-wide before routing)
 *   → route exists (404 GW-00001) → token verified (401 GW-00003 / 503 GW-00014)
 *   → scopes (403 GW-00004) → exactly one consent detail (403 GW-00005)
 *   → its rights give the API's action on one of its resources (403 GW-00006)
 *   → `to` = consumer (403 GW-00007) → access list when enabled (403 GW-00008)
 *   → consent active and equal to the stored one (401 GW-00009)
 *   → subject = `from` (403 GW-00010) → consent terms within the resource's policy (403 GW-00018)
 *   → rate limits (429 GW-00011) → body size (413 GW-00016) → calls per day (429 GW-00017)
 *   → one-time claim (401 GW-00009) → upstream (502 GW-00012 / 504 GW-00013).
 *
 * Hot path (reused token): the verifier's token cache, the parsed consent detail memoised per
 * verified principal, routes, resource policy, owner policy (a cached `null` for a resource
 * without one), the day's call count, access-list answers and consent state from
 * memory; no database round-trip and no promise before the upstream call. Usage counts are
 * batched; metrics use pre-bound children.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { TokenVerifier } from '../common/auth/token-verifier.js';
import { DomainError } from '../common/errors/domain-error.js';
import { refusalReason } from '../common/errors/problem-details.filter.js';
import { requestShapeError } from '../common/http/request-target.js';
import { requestTracer } from '../common/tracing/request-tracer.js';
import { TokenBucketLimiter } from '../common/rate-limit/token-bucket.limiter.js';
import { AccessListsService } from '../access-lists/access-lists.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ConsentsService } from '../consents/consents.service.js';
import { ResourcePoliciesService } from '../resources/resource-policies.service.js';
import { ApiRouteTable } from './api-route-table.js';
import { AccessListCheck } from './checks/access-list.check.js';
import { BodySizeCheck } from './checks/body-size.check.js';
import { CallsPerDayCheck } from './checks/calls-per-day.check.js';
import { CheckPipeline, type CheckOutcome } from './checks/check-pipeline.js';
import { ConsentActiveCheck } from './checks/consent-active.check.js';
import { ConsentDetailCheck } from './checks/consent-detail.check.js';
import { ConsentToCheck } from './checks/consent-to.check.js';
import { CoverageCheck } from './checks/coverage.check.js';
import { OneTimeClaimCheck } from './checks/one-time-claim.check.js';
import type { OwnerPolicies } from './checks/owner-policy.js';
import { PolicyTermsCheck } from './checks/policy-terms.check.js';
import { RateLimitCheck } from './checks/rate-limit.check.js';
import { ScopesCheck } from './checks/scopes.check.js';
import { SubjectCheck } from './checks/subject.check.js';
import { TokenCheck } from './checks/token.check.js';
import { GatewayStateCache } from './consent-state.cache.js';
import { DailyCallCounter } from './daily-call-counter.js';
import { GatewayAccessLog } from './gateway-access-log.js';
import { internalError, toProblem, writeProblem } from './gateway-answers.js';
import { GatewayCall } from './gateway-call.js';
import * as E from './gateway-errors.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { apiName, apiNameEnd, headerNames, nextRequestId } from './gateway-request.js';
import { InFlightCalls } from './in-flight-calls.js';
import { OneTimeClaimLifecycle } from './one-time-claim-lifecycle.js';
import { OneTimeClaimsRepository } from './one-time-claims.repository.js';
import { UpstreamForwarder, type CallEnd } from './upstream-forwarder.js';
import { UpstreamPools } from './upstream-pools.js';
import { UsageRecorder } from './usage-recorder.js';

export { isProxyTarget } from './gateway-request.js';

@Injectable()
export class GatewayProxyService implements CheckOutcome, CallEnd {
  private readonly logger = new Logger('Gateway');
  private readonly pools: UpstreamPools;
  private readonly inFlight = new InFlightCalls();
  private readonly accessLog: GatewayAccessLog;
  private readonly checks: CheckPipeline;
  private readonly forwarder: UpstreamForwarder;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    verifier: TokenVerifier,
    private readonly routes: ApiRouteTable,
    state: GatewayStateCache,
    accessLists: AccessListsService,
    consents: ConsentsService,
    claims: OneTimeClaimsRepository,
    private readonly usage: UsageRecorder,
    private readonly metrics: GatewayMetrics,
    resourcePolicies: ResourcePoliciesService,
    dailyCalls: DailyCallCounter,
  ) {
    // Production never connects to loopback, link-local or metadata addresses (RT-8).
    this.pools = new UpstreamPools({ guardAddresses: config.nodeEnv === 'production' });
    routes.onChange(() => this.pools.retain(new Set(this.routes.all().map((r) => r.origin))));
    this.accessLog = new GatewayAccessLog(this.logger, config.logLevel);
    const oneTime = new OneTimeClaimLifecycle(claims, consents, state, this.logger);
    const ownerPolicies: OwnerPolicies = {
      peek: (resource) => resourcePolicies.peekPolicy(resource),
      load: (resource) => resourcePolicies.policyOf(resource),
    };
    // The order of DESIGN §4.9 (docs/architecture.md lists it too).
    this.checks = new CheckPipeline(
      [
        new TokenCheck(verifier),
        new ScopesCheck(),
        new ConsentDetailCheck(metrics.countCacheLookup),
        new CoverageCheck(),
        new ConsentToCheck(state.consents),
        new AccessListCheck(state.resources, accessLists, metrics.countCacheLookup),
        new ConsentActiveCheck(state.consents, config.clockSkewSeconds * 1000),
        new SubjectCheck(),
        new PolicyTermsCheck(ownerPolicies, metrics.countCacheLookup),
        new RateLimitCheck(new TokenBucketLimiter()),
        new BodySizeCheck(),
        // Last before the claim: only a call no other rule refuses uses up one of the day's calls.
        new CallsPerDayCheck(ownerPolicies, dailyCalls, metrics.countCacheLookup),
        new OneTimeClaimCheck(oneTime),
      ],
      this,
    );
    this.forwarder = new UpstreamForwarder(this.pools, oneTime, this, this.logger);
  }

  /** The names of the checks in the order they run. */
  get checkOrder(): string[] {
    return this.checks.order;
  }

  /**
   * Shutdown (GatewayModule, before Prisma disconnects): refuse new calls, wait (bounded by the
   * shutdown grace) for the ones in flight, then close the upstream pools.
   */
  async drain(): Promise<void> {
    if (this.inFlight.draining) return;
    await this.inFlight.drain(this.config.shutdownGraceMs);
    await this.pools.closeAll();
  }

  get callsInFlight(): number {
    return this.inFlight.size;
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
      if (res.headersSent) res.destroy();
      else this.refuseAtEdge(req, res, nextRequestId(), internalError(), performance.now());
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
      this.refuseAtEdge(req, res, requestId, names, t0);
      return;
    }
    // Route exists (404 GW-00001).
    const end = apiNameEnd(url);
    const name = apiName(url, end);
    const route = name ? this.routes.get(name) : undefined;
    if (!route) {
      this.metrics.api('').count(E.GW.unknownApi);
      this.refuseAtEdge(req, res, requestId, E.unknownApi(), t0);
      return;
    }
    if (this.inFlight.draining) {
      this.refuseAtEdge(req, res, requestId, E.shuttingDown(), t0, true, route.name);
      return;
    }

    this.inFlight.started();
    const metrics = this.routes.metricsFor(route.name);
    const call = new GatewayCall(req, res, requestId, route, url.slice(end), t0, metrics, names);
    if (requestTracer() === null) this.checks.run(call);
    else this.runTraced(call);
  }

  /** An answer before any call exists, with its access-log line (RT4-7: probes leave a trace). */
  private refuseAtEdge(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    problem: DomainError,
    t0: number,
    close = false,
    api?: string,
  ): void {
    writeProblem(req, res, requestId, problem, close);
    this.accessLog.writeEdge(req, requestId, problem, t0, api);
  }

  /** The checks inside their span; database reads they make (cache misses) become its children. */
  private runTraced(call: GatewayCall): void {
    const tracer = requestTracer()!;
    tracer.nameRoute(call.req, `/proxy/${call.route.name}`);
    const span = tracer.startSpan(call.req, 'gateway checks', 'internal', {
      'consentgw.api': call.route.name,
    });
    call.checkSpan = span;
    span.run(() => this.checks.run(call));
  }

  /** Ends the checks' span: which check refused (a refusal is an answer; only 5xx is an error). */
  private endCheckSpan(call: GatewayCall, problem: DomainError | null): void {
    const span = call.checkSpan!;
    if (problem) {
      span.setAttributes({ 'consentgw.problem_code': problem.code });
      const reason = refusalReason(problem);
      if (reason) span.setAttributes({ 'consentgw.refusal_reason': reason });
      if (problem.status >= 500) span.fail(problem.code);
    }
    if (call.consent) span.setAttributes({ 'consentgw.consent_id': call.consent });
    if (call.consumer) span.setAttributes({ 'consentgw.consumer': call.consumer });
    span.end();
  }

  // ───────────── CheckOutcome: where the checks end ─────────────

  passed(call: GatewayCall): void {
    call.metrics.check.observe((performance.now() - call.t0) / 1000);
    if (call.checkSpan) this.endCheckSpan(call, null);
    this.forwarder.forward(call);
  }

  refused(call: GatewayCall, err: unknown): void {
    call.metrics.check.observe((performance.now() - call.t0) / 1000);
    const problem = toProblem(err, call.requestId, this.logger);
    call.refusal = problem;
    if (call.checkSpan) this.endCheckSpan(call, problem);
    writeProblem(call.req, call.res, call.requestId, problem);
    this.ended(call, problem.status, problem.code);
  }

  // ───────────── CallEnd: every call that got past routing ends here once ─────────────

  ended(call: GatewayCall, status: number, outcome: string): void {
    call.metrics.count(outcome);
    this.usage.record(call.route.name, call.consumer, call.consent, outcome);
    this.accessLog.write(call, status, outcome);
    this.inFlight.ended();
  }
}
