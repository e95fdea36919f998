/**
 * One structured line per proxied call at `info` (proxied calls bypass the HTTP request logger).
 * The query string and the subject header are left out: they usually carry a national identity
 * number; one in the path (`/person/15058510170`, red team finding) is masked, and so is a token. Skipped entirely
 * below `info`, so it costs nothing in production at `warn`.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '@nestjs/common';
import { refusalReason } from '../common/errors/problem-details.filter.js';
import { traceIdFor } from '../common/errors/trace-id.js';
import type { GatewayCall } from './gateway-call.js';
import { CLIENT_CLOSED } from './upstream-exchange.js';

/**
 * Any run of exactly 11 digits (a Norwegian national identity or D number, also percent-encoded
 * digit by digit) replaced by `***********`, so the log names where the call went, not whom it was
 * about. Other numbers (org numbers have 9 digits, ids, years) stay readable.
 */
const ELEVEN_DIGITS = /(?<![0-9]|%3)(?:[0-9]|%3[0-9]){11}(?![0-9]|%3[0-9])/gi;

/** The same number written with a separator after the birth date (`150585-10170`, `150585%2010170`). */
const SEPARATED = /(?<![0-9])[0-9]{6}(?:-|\.|\s|%20|%2d)[0-9]{5}(?![0-9])/gi;

/**
 * A JWT (a base64url JSON header `eyJ…`, then two more segments): a client that puts its token in
 * the path (`/x;access_token=…`, red team) must not get it written to the log.
 */
const JWT = /eyJ[A-Za-z0-9_-]*(?:\.|%2e)[A-Za-z0-9_-]*(?:\.|%2e)[A-Za-z0-9_-]*/gi;

export function maskIdentityNumbers(path: string): string {
  return path.replace(JWT, '[token]').replace(ELEVEN_DIGITS, '***********').replace(SEPARATED, '***********');
}

export class GatewayAccessLog {
  private readonly enabled: boolean;

  constructor(
    private readonly logger: Logger,
    logLevel: string,
  ) {
    this.enabled = logLevel === 'info' || logLevel === 'debug' || logLevel === 'trace';
  }

  write(call: GatewayCall, status: number, outcome: string): void {
    if (!this.enabled) return;
    const url = call.req.url ?? '';
    const q = url.indexOf('?');
    this.logger.log({
      msg: 'gateway call',
      reqId: call.requestId,
      api: call.route.name,
      method: call.req.method,
      path: maskIdentityNumbers(q === -1 ? url : url.slice(0, q)),
      status,
      outcome,
      consumer: call.consumer || undefined,
      clientId: call.principal?.clientId,
      consent: call.consent || undefined,
      code: outcome.startsWith('upstream_') || outcome === CLIENT_CLOSED ? undefined : outcome,
      reason: refusalReason(call.refusal) ?? (call.upstreamCause || undefined),
      traceId: traceIdFor(call.req),
      ms: Number((performance.now() - call.t0).toFixed(2)),
    });
  }
}
