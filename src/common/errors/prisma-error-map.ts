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
  return undefined;
}
