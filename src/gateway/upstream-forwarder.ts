/**
 * Forwarding a call that passed every check: the upstream request (path, verified context
 * headers, the body streamed and limited), the client-abort watch, and what the upstream
 * exchange reports back (ExchangeOwner) until the call ends.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from '@nestjs/common';
import type { DomainError } from '../common/errors/domain-error.js';
import type { TracedSpan } from '../common/tracing/request-tracer.js';
import { traceIdFor } from '../common/errors/trace-id.js';
import { requestTracer } from '../common/tracing/request-tracer.js';
import { traceContextOf } from '../common/tracing/trace-context.js';
import { upstreamPath } from './api-route.js';
import { writeProblem } from './gateway-answers.js';
import type { GatewayCall } from './gateway-call.js';
import * as E from './gateway-errors.js';
import type { OneTimeClaimLifecycle } from './one-time-claim-lifecycle.js';
import { upstreamRequestHeaders } from './proxy-headers.js';
import {
  CLIENT_CLOSED,
  CLIENT_CLOSED_STATUS,
  UpstreamExchange,
  type ExchangeOwner,
} from './upstream-exchange.js';
import type { UpstreamPools } from './upstream-pools.js';

/** Told once when a forwarded call ends, with the status the client got and the outcome label. */
export interface CallEnd {
  ended(call: GatewayCall, status: number, outcome: string): void;
}

class BodyLimitExceeded extends Error {}

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

export function mapUpstreamError(err: Error, max: number): DomainError {
  if (err instanceof BodyLimitExceeded) return E.bodyTooLarge(max);
  const code = (err as { code?: string }).code;
  if (code && TIMEOUT_CODES.has(code)) return E.upstreamTimeout();
  return E.upstreamUnavailable();
}

/**
 * Client aborts: one 'close' listener per client connection (kept alive across its requests)
 * instead of one per request; it aborts whichever upstream call the connection has in flight.
 */
const kExchange = Symbol('gateway.exchange');
type WatchedSocket = Socket & { [kExchange]?: UpstreamExchange<GatewayCall> | null };

function onClientSocketClose(this: WatchedSocket): void {
  const exchange = this[kExchange];
  this[kExchange] = null;
  exchange?.clientClosed();
}

function watchClient(socket: Socket, exchange: UpstreamExchange<GatewayCall>): void {
  const s = socket as WatchedSocket;
  if (s[kExchange] === undefined) s.once('close', onClientSocketClose);
  s[kExchange] = exchange;
}

/**
 * Only the exchange this call set: by the time a call ends, its response may be written and the
 * connection already serving the client's next (pipelined or keep-alive) request.
 */
function unwatchClient(socket: WatchedSocket, exchange: UpstreamExchange<GatewayCall>): void {
  if (socket[kExchange] === exchange) socket[kExchange] = null;
}

/** Host and port of each route's origin, parsed once (routes are replaced, never changed, on an edit). */
const originParts = new WeakMap<GatewayCall['route'], { address: string; port: number }>();

function originOf(route: GatewayCall['route']): { address: string; port: number } {
  let parts = originParts.get(route);
  if (!parts) {
    const u = new URL(route.origin);
    parts = { address: u.hostname, port: Number(u.port) || (u.protocol === 'https:' ? 443 : 80) };
    originParts.set(route, parts);
  }
  return parts;
}

/** The upstream call's client span: where it went (origin and API, never the path or query). */
function startUpstreamSpan(call: GatewayCall): TracedSpan {
  const { address, port } = originOf(call.route);
  const method = call.req.method ?? 'GET';
  return requestTracer()!.startSpan(call.req, `${method} ${call.route.name}`, 'client', {
    'http.request.method': method,
    'server.address': address,
    'server.port': port,
    'consentgw.api': call.route.name,
  });
}

function endUpstreamSpan(call: GatewayCall, outcome: string): void {
  const span = call.upstreamSpan!;
  if (call.res.headersSent) span.setAttributes({ 'http.response.status_code': call.res.statusCode });
  span.setAttributes({ 'consentgw.outcome': outcome });
  if (call.upstreamCause) span.fail(call.upstreamCause);
  else if (outcome === CLIENT_CLOSED) span.fail('the client closed the connection');
  span.end();
}

export class UpstreamForwarder implements ExchangeOwner<GatewayCall> {
  constructor(
    private readonly pools: UpstreamPools,
    private readonly oneTime: OneTimeClaimLifecycle,
    private readonly end: CallEnd,
    private readonly logger: Logger,
  ) {}

  forward(call: GatewayCall): void {
    const { req, route } = call;
    const detail = call.detail!;
    let body: unknown = null;
    if (call.body === 'sized') body = req;
    else if (call.body === 'chunked') body = limitBody(req, route.maxBodyBytes);

    const exchange = new UpstreamExchange<GatewayCall>(call.res, this, call);
    // Kept here, not read from `req.socket` at the end: Node detaches the socket from a request
    // whose body was not read to the end (an upstream that timed out or reset mid-body), and a
    // throw in undici's error callback is an unhandled 'error' that ends the process.
    watchClient(req.socket, exchange);
    call.clientSocket = req.socket;
    call.exchange = exchange;
    // Gone while the checks ran (a database read, a key fetch): nothing to forward.
    if (req.socket.destroyed) exchange.clientClosed();
    // Tracing on: the upstream call is a client span, and the upstream's parent is that span.
    const tracer = requestTracer();
    if (tracer !== null) call.upstreamSpan = startUpstreamSpan(call);
    const headers = upstreamRequestHeaders(req.rawHeaders, call.names, req.headers.connection, {
      consentId: detail.id,
      fromUrn: detail.fromUrn,
      toUrn: detail.toUrn,
      metadataHeader: call.match!.right.metadataHeader,
      clientIp: req.socket.remoteAddress ?? '',
      proto: (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
      requestId: call.requestId,
      trace: traceContextOf(req),
      traceparent: call.upstreamSpan?.traceparent,
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

  // ───────────── ExchangeOwner<GatewayCall>: what the upstream exchange reports ─────────────

  onHead(call: GatewayCall): void {
    call.metrics.upstream.observe((performance.now() - call.sentAt) / 1000);
  }

  gate(call: GatewayCall, statusCode: number): Promise<DomainError | null> | null {
    return this.oneTime.gate(call, statusCode);
  }

  mapError(call: GatewayCall, err: Error): DomainError {
    // The cause (ECONNREFUSED, ENOTFOUND, a timeout …) is for the log; the client gets the code.
    call.upstreamCause = (err as { code?: string }).code ?? err.message;
    return mapUpstreamError(err, call.route.maxBodyBytes);
  }

  writeProblem(call: GatewayCall, problem: DomainError, reached: boolean): void {
    if (problem.status >= 500)
      this.logger.warn(
        `${call.route.name}: ${problem.code} ${problem.detail}${call.upstreamCause ? ` (${call.upstreamCause} from ${call.route.origin})` : ''} (request ${call.requestId}, trace ${traceIdFor(call.req)})`,
      );
    if (!this.oneTime.holdsClaim(call)) {
      writeProblem(call.req, call.res, call.requestId, problem);
      return;
    }
    // Under a one-time consent the claim is settled first (released, or the consent used up when
    // the upstream may have acted), then the answer goes out; `done` waits for it (RT3-9, RT3-10).
    call.answered = this.settleClaim(call, reached && isUnknownOutcome(problem)).then(() =>
      writeProblem(call.req, call.res, call.requestId, problem),
    );
  }

  done(call: GatewayCall, outcome: string, _statusCode: number, reached: boolean): void {
    if (call.clientSocket) unwatchClient(call.clientSocket, call.exchange as UpstreamExchange<GatewayCall>);
    if (call.upstreamSpan) endUpstreamSpan(call, outcome);
    // The client left while the upstream had the request and before any answer: unknown outcome.
    const settled =
      call.answered ??
      (this.oneTime.holdsClaim(call) ? this.settleClaim(call, reached && outcome === CLIENT_CLOSED) : null);
    // The call ends (log line, metrics, in-flight count) once its answer is written, so the log
    // records the status the client got, not the 200 a deferred problem answer had not yet set.
    if (settled) void settled.then(() => this.ended(call, outcome));
    else this.ended(call, outcome);
  }

  private settleClaim(call: GatewayCall, outcomeUnknown: boolean): Promise<void> {
    return outcomeUnknown ? this.oneTime.useUpOnce(call) : this.oneTime.releaseOnce(call);
  }

  private ended(call: GatewayCall, outcome: string): void {
    // Nothing written (the client went away before the answer): nginx's 499, whatever the outcome.
    const status =
      outcome === CLIENT_CLOSED || !call.res.headersSent ? CLIENT_CLOSED_STATUS : call.res.statusCode;
    this.end.ended(call, status, outcome);
  }
}

/**
 * The request reached the upstream and no answer came back: a timeout (504) or a connection
 * that broke (502) after the request was written. The upstream may have acted on it (a payment
 * made, a file prepared), so a one-time consent counts as used (fail closed). A request we cut
 * ourselves for its size (413) never arrived whole, and a refusal from the gate is the gate's.
 */
function isUnknownOutcome(problem: DomainError): boolean {
  return problem.code === E.GW.upstreamTimeout || problem.code === E.GW.upstreamUnavailable;
}
