import { DomainError } from './domain-error.js';

/**
 * Prisma/pg errors that mean something to the client: unique violation → 409, record not
 * found → 404, database unreachable → 503 with Retry-After (recovers without restart).
 * Duck-typed so this file does not import the generated client (common/ stays context-free).
 */
const CONNECTION_CODES = new Set([
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
  'ECONNREFUSED',
  'ECONNRESET',
  '57P01',
  '57P03',
  '08006',
  '08001',
  '08003',
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const o = e as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
    if (typeof o.code === 'string' && CONNECTION_CODES.has(o.code)) return true;
    if (o.name === 'PrismaClientInitializationError') return true;
    if (
      typeof o.message === 'string' &&
      /ECONNREFUSED|Connection terminated|connection timeout|timeout exceeded when trying to connect|terminating connection|Can't reach database/i.test(
        o.message,
      )
    )
      return true;
    e = o.cause;
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
      headers: { 'retry-after': '5' },
    });
  return undefined;
}
