/**
 * One structured line per proxied call at `info` (proxied calls bypass the HTTP request logger).
 * The query string and the subject header are left out: they usually carry a national identity
 * number; one in the path (`/person/15058510170`, red team finding) is masked, and so is a token. Skipped entirely
 * below `info`, so it costs nothing in production at `warn`.
 */
import { performance } from 'node:perf_hooks';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '@nestjs/common';
import type { DomainError } from '../common/errors/domain-error.js';
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

/** The target without its query string (it may hold `access_token` or a subject), masked. */
function loggedPath(url: string): string {
  const q = url.indexOf('?');
  return maskIdentityNumbers(q === -1 ? url : url.slice(0, q));
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
    this.logger.log({
      msg: 'gateway call',
      reqId: call.requestId,
      api: call.route.name,
      method: call.req.method,
      path: loggedPath(call.req.url ?? ''),
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

  /**
   * A request refused at the edge, before a call exists (RT4-7): request shape (400 GW-00002),
   * unknown API (404 GW-00001), shutting down (503), a gateway bug (500). Same line as a call's,
   * without what only a call knows; at `warn` (`error` for a 500) like every other 4xx/5xx, so
   * probes leave a trace at the production level too. The API name only when it exists:
   * an unknown one is attacker text, and the path already carries it (masked).
   */
  writeEdge(req: IncomingMessage, requestId: string, problem: DomainError, t0: number, api?: string): void {
    const line = {
      msg: 'gateway call',
      reqId: requestId,
      api,
      method: req.method,
      path: loggedPath(req.url ?? ''),
      status: problem.status,
      outcome: problem.code,
      code: problem.code,
      traceId: traceIdFor(req),
      ms: Number((performance.now() - t0).toFixed(2)),
    };
    if (problem.status >= 500 && problem.status !== 503) this.logger.error(line);
    else this.logger.warn(line);
  }
}
