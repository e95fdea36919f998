import { DatabaseUnavailableError, isDatabaseUnavailable } from '../../prisma/database-unavailable.js';
import { DomainError } from './domain-error.js';

/**
 * Prisma/pg errors that mean something to the client: unique violation → 409, record not
 * found → 404, database unavailable (prisma/database-unavailable.ts, the one classifier) → 503
 * with Retry-After (recovers without restart). Duck-typed so this file does not import the
 * generated client (common/ stays context-free).
 */
export { isDatabaseUnavailable };

/** Seconds a client should wait: until the circuit's next probe when known, else 5. */
export function databaseRetryAfter(err: unknown): string {
  return String(err instanceof DatabaseUnavailableError ? Math.min(err.retryAfterSeconds, 5) : 5);
}

/**
 * SQLSTATEs and Prisma codes of a database too busy to serve the request in time: a lock wait past
 * `lock_timeout` (55P03), a statement past `statement_timeout` (57014), an interactive transaction
 * that could not start within `maxWait` or outlived its `timeout` (P2028). Under load an access-list
 * write answered 500 for these (issue: access-lists-load); DESIGN §11 asks 503 + Retry-After for
 * any failure to obtain or keep a connection, and a retry is exactly what helps here. They do not
 * count as "database unavailable" (that opens the connection circuit for everyone).
 */
const BUSY_CODES = new Set(['55P03', '57014', 'P2028']);

interface CodedError {
  code?: unknown;
  originalCode?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/** True when `err`, or an error it wraps (cause, Prisma's driver adapter error), is a busy timeout. */
export function isDatabaseBusy(err: unknown): boolean {
  const queue: unknown[] = [err];
  for (let seen = 0; queue.length > 0 && seen < 8; seen++) {
    const e = queue.shift();
    if (!e || typeof e !== 'object') continue;
    const o = e as CodedError;
    if ([o.code, o.originalCode].some((c) => typeof c === 'string' && BUSY_CODES.has(c))) return true;
    queue.push(o.cause, o.meta?.driverAdapterError);
  }
  return false;
}

export function fromPrismaError(err: unknown): DomainError | undefined {
  const o = err as { name?: unknown; code?: unknown };
  if (o?.name === 'PrismaClientKnownRequestError') {
    if (o.code === 'P2002')
      return DomainError.conflict('STD-00409', 'An object with the same identifier already exists.');
    if (o.code === 'P2025') return DomainError.notFound('STD-00404', 'The object does not exist.');
  }
  if (isDatabaseUnavailable(err))
    return new DomainError(503, 'STD-00503', 'The database is unavailable; try again shortly.', {
      title: 'Service Unavailable',
      headers: { 'Retry-After': databaseRetryAfter(err) },
    });
  if (isDatabaseBusy(err))
    return new DomainError(503, 'STD-00503', 'The database is busy; try again shortly.', {
      title: 'Service Unavailable',
      headers: { 'Retry-After': '1' },
    });
  return undefined;
}
