/**
 * One call through the gateway: the request, and what the checks have established about it so
 * far. The checks (checks/*.check.ts) read and fill it in order; forwarding, the one-time claim
 * lifecycle and the access log read it afterwards.
 *
 * A class with every field set in the constructor (not an object that grows as checks pass):
 * every call then has the same shape, which keeps the property reads on the hot path monomorphic.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Principal } from '../common/auth/principal.js';
import type { DomainError } from '../common/errors/domain-error.js';
import type { TracedSpan } from '../common/tracing/request-tracer.js';
import type { ApiRoute } from './api-route.js';
import type { ConsentDetail, RightMatch } from './consent-detail.js';
import type { StoredPolicyView } from '../resources/resource-policy.view.js';
import type { ConsentState, ResourcePolicy } from './consent-state.js';
import type { ApiMetrics } from './gateway-metrics.js';

/** How the request body travels: none, with a declared length, or chunked (limited while streaming). */
export type BodyKind = 'none' | 'sized' | 'chunked';

export class GatewayCall {
  /** Index of the next check to run (the driver resumes here after a load). */
  step = 0;
  /** The bearer token while its verification is pending (never logged). */
  token = '';
  principal: Principal | null = null;
  /** The principal came from the verifier's cache: worth memoising what is derived from it. */
  reusedPrincipal = false;
  /** For usage counters and the access log: '' until known. */
  consumer = '';
  consent = '';
  detail: ConsentDetail | null = null;
  match: RightMatch | null = null;
  /** Values read on a cache miss (undefined = not read yet). */
  policy: ResourcePolicy | null | undefined = undefined;
  allowed: boolean | undefined = undefined;
  stored: ConsentState | null | undefined = undefined;
  /** The owner's policy of the matched resource (null: none). */
  ownerPolicy: Readonly<StoredPolicyView> | null | undefined = undefined;
  body: BodyKind = 'none';
  /** The one-time claim this call holds (null: none). */
  claim: string | null = null;
  /** The release of the one-time claim (after marking the consent used, when it was), once started. */
  released: Promise<void> | null = null;
  /** A problem answer written after the claim is settled (one-time consents), once started. */
  answered: Promise<void> | null = null;
  /** When the request went upstream (performance.now()). */
  sentAt = 0;
  /** The refusal the call was answered with (its reason goes to the log line). */
  refusal: DomainError | null = null;
  /** Why the upstream call failed (error code or message), for the log line; '' when it did not. */
  upstreamCause = '';
  /** The checks' span and the upstream call's span, when tracing is on (null otherwise). */
  checkSpan: TracedSpan | null = null;
  upstreamSpan: TracedSpan | null = null;
  /**
   * The client connection watched for aborts while the call is upstream, and the exchange it
   * aborts (typed loosely: gateway-call must not import upstream-exchange). Kept because Node
   * detaches the socket from a request whose body was not read to the end.
   */
  clientSocket: Socket | null = null;
  exchange: object | null = null;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly requestId: string,
    readonly route: ApiRoute,
    /** The target after `/proxy/{name}` ('' or starting with `/` or `?`). */
    readonly rest: string,
    /** performance.now() when the request arrived. */
    readonly t0: number,
    readonly metrics: ApiMetrics,
    /** Lowercase names of `req.rawHeaders`, computed once (reused for the upstream headers). */
    readonly names: string[],
  ) {}
}
