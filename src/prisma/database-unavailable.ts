/**
 * The one answer to "is this error the database being unavailable?" (DESIGN §6, §11), used by
 * the problem filter (503 STD-00503), the gateway (503 GW-00015), health and the connection
 * circuit. Unavailable means any failure to obtain or keep a connection, in every shape it
 * reaches us:
 *
 * - from pg / pg-pool: a PostgreSQL error with SQLSTATE class 08 (connection exception), 53300
 *   (too many connections), 57P01-57P05 (shutdown, crash, cannot connect now, database dropped,
 *   idle session timeout), a FATAL 55000 (`ALLOW_CONNECTIONS false`); a socket error
 *   (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EAI_AGAIN, ENOTFOUND, EHOSTUNREACH, ENETUNREACH,
 *   EPIPE); pg's and pg-pool's code-less errors (connection terminated, connect timeouts);
 * - from Prisma 7 with @prisma/adapter-pg: the same inside `meta.driverAdapterError.cause`
 *   (`kind` DatabaseNotReachable, ConnectionClosed, SocketTimeout, TooManyConnections, or
 *   `postgres` with the SQLSTATE in `code`/`originalCode`), P1001/P1002/P1008/P1017/P2024/P2037,
 *   and PrismaClientInitializationError; pg-pool errors Prisma passes through unchanged;
 * - our own DatabaseUnavailableError, thrown without a connection attempt while the circuit is
 *   open (database-circuit.ts) — which Prisma re-wraps as a PrismaClientKnownRequestError with
 *   our code `DB_UNAVAILABLE`.
 *
 * Checked against real failures in test/e2e/database-failure-modes.e2e-spec.ts; the shapes are
 * also pinned in database-unavailable.spec.ts. Duck-typed so no driver or generated client is
 * imported here.
 */
import { Logger } from '@nestjs/common';

/** The code of DatabaseUnavailableError; Prisma re-wraps errors by code, so it is checked by code. */
export const DB_UNAVAILABLE_CODE = 'DB_UNAVAILABLE';

/** Refusal without a connection attempt: the database is known to be down (circuit open). */
export class DatabaseUnavailableError extends Error {
  readonly code = DB_UNAVAILABLE_CODE;
  constructor(readonly retryAfterSeconds: number) {
    super('The database is known to be unavailable; not attempting a connection.');
    this.name = 'DatabaseUnavailableError';
  }
}

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);
const SQLSTATES = new Set(['53300', '57P01', '57P02', '57P03', '57P04', '57P05']);
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037', DB_UNAVAILABLE_CODE]);
const ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
/** pg and pg-pool errors that carry no code. */
const MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|connection timeout|Client has encountered a connection error|terminating connection|Can't reach database server|Server has closed the connection/i;

interface ErrorLike {
  code?: unknown;
  originalCode?: unknown;
  kind?: unknown;
  severity?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
  errors?: unknown;
}

function sqlstateUnavailable(code: string, severity: unknown): boolean {
  if (code.startsWith('08') && code.length === 5) return true;
  if (SQLSTATES.has(code)) return true;
  // 55000 is a general "object not in prerequisite state"; as a FATAL at connect it is
  // "database … is not currently accepting connections".
  return code === '55000' && (severity === 'FATAL' || severity === undefined);
}

function oneUnavailable(o: ErrorLike): boolean {
  if (o instanceof DatabaseUnavailableError || o.name === 'PrismaClientInitializationError') return true;
  if (typeof o.kind === 'string' && ADAPTER_KINDS.has(o.kind)) return true;
  for (const c of [o.code, o.originalCode]) {
    if (typeof c !== 'string') continue;
    if (SOCKET_CODES.has(c) || PRISMA_CODES.has(c) || sqlstateUnavailable(c, o.severity)) return true;
  }
  return typeof o.message === 'string' && MESSAGES.test(o.message);
}

/** `err` and everything it wraps (causes, Prisma's driver error, AggregateError members), breadth first. */
function* wrapped(err: unknown): Generator<ErrorLike> {
  const queue: unknown[] = [err];
  for (let seen = 0; queue.length > 0 && seen < 16; seen++) {
    const e = queue.shift();
    if (!e || typeof e !== 'object') continue;
    const o = e as ErrorLike;
    yield o;
    queue.push(o.cause, o.meta?.driverAdapterError);
    if (Array.isArray(o.errors)) queue.push(...(o.errors as unknown[])); // AggregateError (happy eyeballs)
  }
}

/** True when `err` (or anything it wraps) means the database could not be reached or was lost. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const o of wrapped(err)) if (oneUnavailable(o)) return true;
  return false;
}

/** A short, secret-free description of why (for the once-per-outage log line). */
export function unavailableReason(err: unknown): string {
  for (const o of wrapped(err)) {
    const code = [o.originalCode, o.code].find((c) => typeof c === 'string' && !/^P\d{4}$/.test(c));
    if (typeof code === 'string') return code;
    if (typeof o.kind === 'string' && o.kind !== 'postgres') return o.kind;
  }
  const m = (err as ErrorLike | undefined)?.message;
  return typeof m === 'string' ? (m.split('\n').find((l) => l.trim()) ?? '').trim().slice(0, 120) : 'unknown';
}

/**
 * Failures seen while the database is unavailable are reported here instead of each being
 * logged by its caller: one warning when they start, then at most one a minute while they go on
 * (with how many there were), so an outage is a few log lines, not one stack per call.
 */
export class UnavailabilityLog {
  private readonly logger = new Logger('Database');
  private lastLoggedAt: number | null = null;
  private suppressed = 0;

  constructor(
    private readonly intervalMs = 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  note(err: unknown, where: string): void {
    const now = this.clock();
    if (this.lastLoggedAt !== null && now - this.lastLoggedAt < this.intervalMs) {
      this.suppressed++;
      return;
    }
    const more = this.suppressed > 0 ? ` (${this.suppressed} more failures since the last report)` : '';
    this.logger.warn(`database unavailable (${unavailableReason(err)}) in ${where}; answering 503${more}`);
    this.lastLoggedAt = now;
    this.suppressed = 0;
  }

  /** The outage is over: the next failure is news again. */
  reset(): void {
    this.lastLoggedAt = null;
    this.suppressed = 0;
  }
}

/** The process-wide report (callers without DI: the problem filter, background loops). */
export const unavailabilityLog = new UnavailabilityLog();

/**
 * For background loops' catch handlers: a database outage goes to the once-per-outage report,
 * anything else to `logger.warn` as before.
 */
export function warnUnlessUnavailable(logger: Pick<Logger, 'warn'>, where: string, err: unknown): void {
  if (isDatabaseUnavailable(err)) unavailabilityLog.note(err, where);
  else logger.warn(`${where} failed: ${(err as Error)?.message ?? String(err)}`);
}
