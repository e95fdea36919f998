/**
 * The OpenTelemetry SDK behind the tracing hook (request-tracer.ts): a NodeTracerProvider with a
 * batch span processor and the OTLP/HTTP exporter (JSON or protobuf), set up from TracingConfig,
 * plus Prisma's own instrumentation for database spans. The only file that imports the SDK; it
 * is imported dynamically by TracingModule when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 *
 * Span ids: the server span takes the span id our trace context already gave the request (and
 * a new request's trace id), through an IdGenerator that hands out a pinned id once. So the
 * `traceId` of a problem body and a log line (`00-<trace>-<span>-<flags>`) names exactly the
 * exported server span, and a caller's `traceparent` is its parent.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  createTraceState,
  diag,
  DiagLogLevel,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  SamplingDecision,
  type IdGenerator,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace-node';
import { PrismaInstrumentation } from '@prisma/instrumentation';
import type { TracingConfig } from '../../config/app-config.js';
import { requestNotes } from './request-notes.js';
import type { RequestTracer, SpanAttributes, TracedSpan } from './request-tracer.js';
import { newSpanId, newTraceId, replaceTraceContext, traceContextOf } from './trace-context.js';

/** Random ids from our pooled generator, except an id pinned for the very next span. */
class PinnableIdGenerator implements IdGenerator {
  private traceId: string | null = null;
  private spanId: string | null = null;

  pin(traceId: string, spanId: string): void {
    this.traceId = traceId;
    this.spanId = spanId;
  }

  unpin(): void {
    this.traceId = this.spanId = null;
  }

  generateTraceId(): string {
    const id = this.traceId ?? newTraceId();
    this.traceId = null;
    return id;
  }

  generateSpanId(): string {
    const id = this.spanId ?? newSpanId();
    this.spanId = null;
    return id;
  }
}

/**
 * Database work outside any request — the feed sequencer every 250 ms, the webhook poller, the
 * expiry sweep — would otherwise be a new trace of Prisma spans several times a second on an idle
 * service: noise in the collector and a cost on every poll. Database spans are recorded only
 * inside a request's trace; everything else goes to the configured sampler.
 */
class RequestScopedDatabaseSampler implements Sampler {
  constructor(private readonly next: Sampler) {}

  shouldSample(...args: Parameters<Sampler['shouldSample']>): SamplingResult {
    const [ctx, , name] = args;
    if (name.startsWith('prisma:') && trace.getSpanContext(ctx) === undefined)
      return { decision: SamplingDecision.NOT_RECORD };
    return this.next.shouldSample(...args);
  }

  toString(): string {
    return `RequestScopedDatabaseSampler{${this.next.toString()}}`;
  }
}

function sampler(config: TracingConfig): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.ratio);
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function traceparentOf(span: Span): string {
  const sc = span.spanContext();
  return `00-${sc.traceId}-${sc.spanId}-${sc.traceFlags & TraceFlags.SAMPLED ? '01' : '00'}`;
}

/** How often a collector that keeps failing is told about again (the first failure at once). */
const REPORT_EVERY_MS = 60_000;

/**
 * The SDK's complaints as one readable line (it passes errors as JSON with their stack), at most
 * one a minute while the collector keeps failing, with how many were left out.
 */
function exportFailureReporter(warn: (message: string) => void): (message: string) => void {
  let last = 0;
  let skipped = 0;
  return (message: string) => {
    const now = Date.now();
    if (now - last < REPORT_EVERY_MS) {
      skipped++;
      return;
    }
    let text = message;
    try {
      const parsed = JSON.parse(message) as { message?: string; code?: string };
      if (parsed.message) text = parsed.message;
    } catch {
      // Not JSON: the message as it is.
    }
    warn(`OpenTelemetry: ${text}${skipped ? ` (and ${skipped} more since the last report)` : ''}`);
    last = now;
    skipped = 0;
  };
}

class SdkSpan implements TracedSpan {
  constructor(private readonly span: Span) {}

  get traceparent(): string {
    return traceparentOf(this.span);
  }

  setAttributes(attributes: SpanAttributes): void {
    this.span.setAttributes(attributes);
  }

  fail(message: string): void {
    this.span.setStatus({ code: SpanStatusCode.ERROR, message });
  }

  run<T>(fn: () => T): T {
    return context.with(trace.setSpan(context.active(), this.span), fn);
  }

  end(): void {
    this.span.end();
  }
}

const kServerSpan = Symbol('consentgw.serverSpan');
type WithSpan = IncomingMessage & { [kServerSpan]?: Span };

/** What the server span says when the response is done: status, and the request's notes. */
function endServerSpan(req: IncomingMessage, res: ServerResponse, span: Span): void {
  const status = res.statusCode;
  span.setAttribute('http.response.status_code', status);
  const notes = requestNotes(req);
  if (notes?.code) span.setAttribute('consentgw.problem_code', notes.code);
  if (notes?.reason) span.setAttribute('consentgw.refusal_reason', notes.reason);
  if (notes?.consumer) span.setAttribute('consentgw.consumer', notes.consumer);
  if (notes?.clientId) span.setAttribute('consentgw.client_id', notes.clientId);
  if (!res.writableFinished) {
    span.setAttribute('error.type', 'client_closed');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed the connection' });
  } else if (status >= 500) {
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

export class OtelRequestTracer implements RequestTracer {
  private readonly tracer: Tracer;

  private constructor(
    private readonly provider: NodeTracerProvider,
    private readonly ids: PinnableIdGenerator,
    private readonly prisma: PrismaInstrumentation,
  ) {
    this.tracer = provider.getTracer('consent-gateway');
  }

  /** Sets up and registers the SDK (global tracer provider and AsyncLocalStorage context). */
  static start(config: TracingConfig, warn: (message: string) => void): OtelRequestTracer {
    // The SDK reports failed exports through `diag`; without a logger they would be silent.
    const report = exportFailureReporter(warn);
    diag.setLogger(
      {
        error: report,
        warn: report,
        info: () => undefined,
        debug: () => undefined,
        verbose: () => undefined,
      },
      DiagLogLevel.WARN,
    );
    const exporterConfig = { url: config.url, headers: config.headers, timeoutMillis: config.timeoutMs };
    const exporter =
      config.protocol === 'http/json'
        ? new OtlpJsonExporter(exporterConfig)
        : new OtlpProtoExporter(exporterConfig);
    const ids = new PinnableIdGenerator();
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ ...config.resourceAttributes, 'service.name': config.serviceName }),
      sampler: new RequestScopedDatabaseSampler(sampler(config)),
      idGenerator: ids,
      spanProcessors: [new BatchSpanProcessor(exporter, config.batch)],
    });
    provider.register();
    const prisma = new PrismaInstrumentation({ enabled: false });
    prisma.setTracerProvider(provider);
    prisma.enable();
    return new OtelRequestTracer(provider, ids, prisma);
  }

  serve(req: IncomingMessage, res: ServerResponse, handle: () => void): void {
    const tc = traceContextOf(req);
    let parent: Context = ROOT_CONTEXT;
    if (tc.parentSpanId !== undefined)
      parent = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: tc.traceId,
        spanId: tc.parentSpanId,
        traceFlags: tc.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
        isRemote: true,
        ...(tc.tracestate !== undefined ? { traceState: createTraceState(tc.tracestate) } : {}),
      });
    this.ids.pin(tc.traceId, tc.spanId);
    const span = this.tracer.startSpan(
      req.method ?? 'HTTP',
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': req.method ?? '',
          'url.scheme': (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
        },
      },
      parent,
    );
    this.ids.unpin();
    // The sampler may have decided otherwise than the flags we would pass on (a new trace under
    // a ratio sampler): what goes downstream and into problem bodies follows the span.
    const sampled = (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;
    if (sampled !== tc.sampled) replaceTraceContext(req, { ...tc, sampled });
    (req as WithSpan)[kServerSpan] = span;
    res.once('close', () => endServerSpan(req, res, span));
    context.with(trace.setSpan(parent, span), handle);
  }

  nameRoute(req: IncomingMessage, route: string): void {
    const span = (req as WithSpan)[kServerSpan];
    if (!span) return;
    span.updateName(`${req.method} ${route}`);
    span.setAttribute('http.route', route);
  }

  startSpan(
    req: IncomingMessage,
    name: string,
    kind: 'internal' | 'client',
    attributes?: SpanAttributes,
  ): TracedSpan {
    const server = (req as WithSpan)[kServerSpan];
    const parent = server ? trace.setSpan(ROOT_CONTEXT, server) : context.active();
    const span = this.tracer.startSpan(
      name,
      { kind: kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL, attributes },
      parent,
    );
    return new SdkSpan(span);
  }

  async shutdown(): Promise<void> {
    this.prisma.disable();
    try {
      await this.provider.shutdown();
    } finally {
      // Global registrations end with this tracer (a test process may start another app).
      trace.disable();
      context.disable();
      propagation.disable();
      diag.disable();
    }
  }
}
