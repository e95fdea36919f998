import type { IncomingMessage } from 'node:http';
import { traceContextOf } from '../tracing/trace-context.js';

const SAFE_ID = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * Request id for logs (and `x-request-id`): a caller's sane `x-request-id` is kept, else the
 * request's W3C trace id, so the two ids of a request a caller did not name are one.
 */
export function genRequestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  if (typeof incoming === 'string' && SAFE_ID.test(incoming)) return incoming;
  return traceContextOf(req).traceId;
}
