import { randomBytes } from 'node:crypto';

/**
 * W3C trace-context id for a request: reuse a valid incoming `traceparent`, otherwise mint one.
 * Returned in every problem body and in the `traceparent`-style `traceId` Altinn uses.
 */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function traceIdFor(
  headers: Record<string, string | string[] | undefined>,
  requestId?: string,
): string {
  const tp = headers['traceparent'];
  if (typeof tp === 'string' && TRACEPARENT.test(tp)) return tp;
  const trace = requestId && /^[0-9a-f]{32}$/.test(requestId) ? requestId : randomBytes(16).toString('hex');
  return `00-${trace}-${randomBytes(8).toString('hex')}-01`;
}
