/**
 * The tracing hook (issue 19): what the HTTP server and the gateway call to put their work into
 * OpenTelemetry spans. This file loads no OpenTelemetry code. With tracing off (no
 * OTEL_EXPORTER_OTLP_ENDPOINT) the hook stays null, and the one thing a request pays is reading
 * it; `otel-request-tracer.ts`, the only file that imports the SDK, is imported dynamically by
 * `TracingModule` when tracing is configured, and never otherwise.
 *
 * Spans are tied to the request's W3C trace context (`trace-context.ts`): the server span IS the
 * span the problem bodies and log lines name, so a `traceId` from a support ticket finds it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type SpanAttributes = Record<string, string | number | boolean>;

/** One span a caller started and must end. Attributes never carry a token or a header value. */
export interface TracedSpan {
  /** `traceparent` naming this span: what a call made on its behalf carries. */
  readonly traceparent: string;
  setAttributes(attributes: SpanAttributes): void;
  /** Marks the span failed (status ERROR) with a message that names no secret. */
  fail(message: string): void;
  /** Runs `fn` with this span as the active one, so the spans `fn` causes (database) are its children. */
  run<T>(fn: () => T): T;
  end(): void;
}

export interface RequestTracer {
  /**
   * Runs the server's handling of `req` inside its server span, which continues the caller's
   * `traceparent` and ends when the response is done.
   */
  serve(req: IncomingMessage, res: ServerResponse, handle: () => void): void;
  /** Names the request's server span after its route template (`GET /consents/{id}`). */
  nameRoute(req: IncomingMessage, route: string): void;
  /** A child of the request's server span (the gateway's checks, its upstream call). */
  startSpan(
    req: IncomingMessage,
    name: string,
    kind: 'internal' | 'client',
    attributes?: SpanAttributes,
  ): TracedSpan;
  /** Exports what is still queued, then stops (bounded by the exporter's timeout). */
  shutdown(): Promise<void>;
}

let active: RequestTracer | null = null;

/** The tracer when tracing is on; null otherwise (and then nothing else of tracing runs). */
export function requestTracer(): RequestTracer | null {
  return active;
}

export function setRequestTracer(tracer: RequestTracer | null): void {
  active = tracer;
}
