import type { IncomingMessage } from 'node:http';
import { formatTraceparent, traceContextFromHeaders, traceContextOf } from '../tracing/trace-context.js';

/**
 * The `traceId` of a problem body: this server's span of the request's W3C trace, in
 * `traceparent` form as Altinn writes it (`00-<trace id>-<span id>-<flags>`). It is the same
 * value the request log writes for the request, so a quoted traceId finds its log line. Without a
 * request (the HTTP parser refused the bytes) it is a trace of its own.
 */
export function traceIdFor(req?: IncomingMessage): string {
  return formatTraceparent(req ? traceContextOf(req) : traceContextFromHeaders({}));
}
