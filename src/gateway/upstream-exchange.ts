/**
 * One proxied call as an undici dispatch handler: the upstream's answer is written straight to
 * the client's response (no intermediate stream, backpressure both ways through pause/resume),
 * and every failure becomes a problem answer if nothing was sent yet, or a cut connection if
 * the head was already on its way (the client must not mistake a truncated body for a whole one).
 *
 * Outcomes: `upstream_2xx` … `upstream_5xx` for an answer relayed, the refusing problem code
 * (GW-00012/13/16 …) for a failure that is the upstream's or the request's, `upstream_aborted`
 * for an upstream that broke off mid-body, and `client_closed` (nginx's 499) whenever the
 * client went away first: the abort we then send upstream is ours, not the upstream's failure,
 * and must not feed the "upstream failing" alert (docs/operations.md).
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { DomainError } from '../common/errors/domain-error.js';
import { downstreamResponseHeaders } from './proxy-headers.js';

type Controller = Dispatcher.DispatchController;

/**
 * What the exchange reports to (the proxy service, with the call as context: one object per
 * call instead of a closure per callback, which matters at tens of thousands of calls a second).
 */
export interface ExchangeOwner<C> {
  /** Response head arrived (for latency metrics). */
  onHead(ctx: C, statusCode: number): void;
  /**
   * For a final answer: null when it may go out as is, otherwise a promise of null (go ahead) or
   * of the error to answer instead (one-time consents: marked `used` first on a 2xx).
   */
  gate(ctx: C, statusCode: number): Promise<DomainError | null> | null;
  /** Maps a transport error (before the head was sent) to the problem to answer. */
  mapError(ctx: C, err: Error): DomainError;
  /**
   * Writes a problem answer on the raw response. `reached`: the request was handed to an open
   * upstream connection, so the upstream may have acted on it (see `reachedUpstream`).
   */
  writeProblem(ctx: C, err: DomainError, reached: boolean): void;
  /** Called once at the very end with the outcome label (`reached` as for writeProblem). */
  done(ctx: C, outcome: string, statusCode: number, reached: boolean): void;
}

export class UpstreamExchange<C> implements Dispatcher.DispatchHandler {
  private controller: Controller | null = null;
  private headSent = false;
  private finished = false;
  private held: Buffer[] | null = null;
  private overrideError: DomainError | null = null;
  private endPending = false;
  private statusCode = 0;
  private resumeUpstream: (() => void) | null = null;
  /** The client's connection closed before the exchange finished. */
  private clientGone = false;
  /**
   * undici handed the request to a connected upstream socket (onRequestStart is its onConnect,
   * called right before the request is written): from here on a failure without an answer
   * leaves the outcome unknown. Before it (refused, DNS, connect timeout) nothing was sent.
   */
  private reachedUpstream = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly owner: ExchangeOwner<C>,
    private readonly ctx: C,
  ) {}

  /** The client went away: stop the upstream call; whatever happens next is a client abort. */
  clientClosed(): void {
    if (this.finished) return;
    this.clientGone = true;
    const c = this.controller;
    if (c && !c.aborted) c.abort(new Error('client closed the connection'));
    else if (!c) this.finish(CLIENT_CLOSED);
  }

  onRequestStart(controller: Controller): void {
    this.controller = controller;
    if (this.finished) controller.abort(new Error('client closed the connection'));
    else this.reachedUpstream = true;
  }

  onResponseStart(controller: Controller, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx: Node answers the client's own Expect; nothing to relay
    this.statusCode = statusCode;
    this.owner.onHead(this.ctx, statusCode);
    const forward = downstreamResponseHeaders(headers);
    const gate = this.owner.gate(this.ctx, statusCode);
    if (gate) {
      controller.pause();
      this.held = [];
      gate.then(
        (refusal) => this.afterGate(refusal, statusCode, forward),
        (err: unknown) => this.afterGate(err as DomainError, statusCode, forward),
      );
      return;
    }
    this.writeHead(statusCode, forward);
  }

  private afterGate(
    refusal: DomainError | null,
    statusCode: number,
    forward: Record<string, string | string[]>,
  ): void {
    const c = this.controller;
    if (this.finished || !c) return;
    const held = this.held ?? [];
    this.held = null;
    if (refusal) {
      if (this.endPending) {
        // The upstream already completed: nothing left to abort, answer the refusal directly.
        this.owner.writeProblem(this.ctx, refusal, this.reachedUpstream);
        this.finish(refusal.code);
        return;
      }
      this.overrideError = refusal;
      if (!c.aborted) c.abort(new Error('answer withheld'));
      return;
    }
    this.writeHead(statusCode, forward);
    for (const chunk of held) this.res.write(chunk);
    if (this.endPending) {
      this.res.end();
      this.finish(outcomeOf(statusCode));
      return;
    }
    c.resume();
  }

  private writeHead(statusCode: number, headers: Record<string, string | string[]>): void {
    if (this.res.destroyed) return;
    this.res.writeHead(statusCode, headers);
    this.headSent = true;
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.held) {
      this.held.push(chunk);
      return;
    }
    if (!this.headSent) return;
    if (!this.res.write(chunk)) {
      controller.pause();
      this.resumeUpstream ??= () => this.controller?.resume();
      this.res.once('drain', this.resumeUpstream);
    }
  }

  onResponseEnd(): void {
    if (this.finished) return;
    if (this.held) {
      // Completed while the gate is still deciding: afterGate ends the response.
      this.endPending = true;
      return;
    }
    this.res.end();
    this.finish(outcomeOf(this.statusCode));
  }

  onResponseError(_controller: Controller, err: Error): void {
    if (this.finished) return;
    // Our own abort after the client left (on a keep-alive connection the socket's 'close' may
    // reach us before Node marks the response destroyed): nobody to answer, nobody to blame.
    if (this.clientGone) {
      if (!this.res.destroyed) this.res.destroy();
      this.finish(CLIENT_CLOSED);
      return;
    }
    if (this.headSent) {
      // Mid-body failure: cut the connection so the client sees an incomplete response.
      this.res.destroy(err);
      this.finish('upstream_aborted');
      return;
    }
    if (this.res.destroyed || this.res.writableEnded) {
      this.finish(CLIENT_CLOSED);
      return;
    }
    const problem = this.overrideError ?? this.owner.mapError(this.ctx, err);
    this.owner.writeProblem(this.ctx, problem, this.reachedUpstream);
    this.finish(problem.code);
  }

  private finish(outcome: string): void {
    if (this.finished) return;
    this.finished = true;
    if (this.resumeUpstream) this.res.removeListener('drain', this.resumeUpstream);
    this.owner.done(this.ctx, outcome, this.statusCode, this.reachedUpstream);
  }
}

/** The outcome of a call whose client went away before its answer was complete (nginx: 499). */
export const CLIENT_CLOSED = 'client_closed';
/** The status logged for it (nginx's 499 "client closed request"). */
export const CLIENT_CLOSED_STATUS = 499;

const OUTCOMES = [
  'upstream_0xx',
  'upstream_1xx',
  'upstream_2xx',
  'upstream_3xx',
  'upstream_4xx',
  'upstream_5xx',
];

/** `upstream_2xx` … `upstream_5xx` (constant strings: they key maps on every call). */
export function outcomeOf(statusCode: number): string {
  return OUTCOMES[Math.floor(statusCode / 100)] ?? 'upstream_other';
}
