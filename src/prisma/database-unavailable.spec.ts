/**
 * The classifier against the shapes real failures take (captured from PostgreSQL 15 through
 * pg 8.23 / pg-pool 3.14 and Prisma 7.10 with @prisma/adapter-pg; the e2e failure-mode tests
 * produce them for real), and against errors that are not outages.
 */
import { describe, expect, it } from '@jest/globals';
import { fromPrismaError } from '../common/errors/prisma-error-map.js';
import {
  DatabaseUnavailableError,
  isDatabaseUnavailable,
  unavailableReason,
  UnavailabilityLog,
} from './database-unavailable.js';

/** What PrismaClientKnownRequestError looks like for a raw query whose driver failed. */
function prismaP2010(cause: Record<string, unknown>, message = 'Raw query failed.') {
  return Object.assign(new Error(`\nInvalid \`prisma.$queryRawUnsafe()\` invocation:\n\n\n${message}`), {
    name: 'PrismaClientKnownRequestError',
    code: 'P2010',
    clientVersion: '7.10.0',
    meta: {
      driverAdapterError: Object.assign(new Error(String(cause.kind)), { name: 'DriverAdapterError', cause }),
    },
  });
}
const pgError = (code: string, severity: string, message: string) =>
  Object.assign(new Error(message), { name: 'error', code, severity, length: 100 });
const socketError = (code: string) =>
  Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect', errno: -111 });

describe('isDatabaseUnavailable', () => {
  it.each([
    [
      'ALLOW_CONNECTIONS false, through Prisma (FATAL 55000)',
      prismaP2010({
        originalCode: '55000',
        kind: 'postgres',
        code: '55000',
        severity: 'FATAL',
        message: 'database "x" is not currently accepting connections',
      }),
    ],
    [
      'ALLOW_CONNECTIONS false, through pg (FATAL 55000)',
      pgError('55000', 'FATAL', 'database "x" is not currently accepting connections'),
    ],
    [
      'too many connections, through Prisma (53300)',
      prismaP2010({
        originalCode: '53300',
        kind: 'TooManyConnections',
        cause: 'too many connections for role "x"',
      }),
    ],
    ['too many connections, through pg', pgError('53300', 'FATAL', 'sorry, too many clients already')],
    [
      'a terminated session, through Prisma (57P01)',
      prismaP2010({
        originalCode: '57P01',
        kind: 'postgres',
        code: '57P01',
        severity: 'FATAL',
        message: 'terminating connection due to administrator command',
      }),
    ],
    ['the server starting up (57P03)', pgError('57P03', 'FATAL', 'the database system is starting up')],
    ['a connection exception (08006)', pgError('08006', 'FATAL', 'connection failure')],
    [
      'a refused socket, through Prisma',
      prismaP2010({ kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 1 }),
    ],
    ['a DNS failure, through Prisma', prismaP2010({ kind: 'DatabaseNotReachable', host: 'db.invalid' })],
    ['a closed connection, through Prisma', prismaP2010({ kind: 'ConnectionClosed' })],
    ['a socket timeout, through Prisma', prismaP2010({ kind: 'SocketTimeout' })],
    ['ECONNREFUSED', socketError('ECONNREFUSED')],
    ['ECONNRESET', socketError('ECONNRESET')],
    ['EAI_AGAIN', socketError('EAI_AGAIN')],
    ['ENOTFOUND', socketError('ENOTFOUND')],
    [
      'happy eyeballs giving up (AggregateError)',
      Object.assign(new AggregateError([socketError('ECONNREFUSED')], 'x'), { code: 'ECONNREFUSED' }),
    ],
    [
      'pg-pool queue timeout (Prisma passes it through)',
      Object.assign(new Error('timeout exceeded when trying to connect'), { clientVersion: '7.10.0' }),
    ],
    [
      'pg-pool connect timeout',
      new Error('Connection terminated due to connection timeout', {
        cause: new Error('Connection terminated unexpectedly'),
      }),
    ],
    ['Prisma P1001', Object.assign(new Error("Can't reach database server"), { code: 'P1001' })],
    [
      'Prisma P2024 (pool timeout)',
      Object.assign(new Error('Timed out fetching a new connection'), { code: 'P2024' }),
    ],
    [
      'an initialisation error',
      Object.assign(new Error('init'), { name: 'PrismaClientInitializationError' }),
    ],
    ['the open circuit', new DatabaseUnavailableError(3)],
    [
      'the open circuit, re-wrapped by Prisma',
      Object.assign(
        new Error('Invalid `prisma.owner.findMany()` invocation: The database is known to be unavailable'),
        {
          name: 'PrismaClientKnownRequestError',
          code: 'DB_UNAVAILABLE',
          meta: { modelName: 'Owner' },
        },
      ),
    ],
  ])('recognises %s', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
    const problem = fromPrismaError(err);
    expect(problem).toMatchObject({ status: 503, code: 'STD-00503' });
    expect(problem?.headers?.['Retry-After']).toMatch(/^[1-5]$/);
  });

  it.each([
    [
      'a unique violation (P2002)',
      Object.assign(new Error('Unique constraint failed'), {
        name: 'PrismaClientKnownRequestError',
        code: 'P2002',
      }),
    ],
    [
      'bad input (22P02)',
      prismaP2010({ originalCode: '22P02', kind: 'InvalidInputValue', message: 'invalid input syntax' }),
    ],
    ['NUL in text (22021)', pgError('22021', 'ERROR', 'invalid byte sequence for encoding "UTF8": 0x00')],
    ['a lock not available (55P03)', pgError('55P03', 'ERROR', 'could not obtain lock')],
    ['a non-fatal 55000', pgError('55000', 'ERROR', 'cannot do this now')],
    [
      'a bad password (28P01)',
      prismaP2010({ originalCode: '28P01', kind: 'AuthenticationFailed', user: 'x' }),
    ],
    [
      'a cancelled statement (57014)',
      pgError('57014', 'ERROR', 'canceling statement due to statement timeout'),
    ],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['nothing', undefined],
  ])('does not mistake %s for an outage', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });

  it('names the reason without the message (no hosts, no SQL)', () => {
    expect(
      unavailableReason(
        prismaP2010({ originalCode: '55000', kind: 'postgres', code: '55000', severity: 'FATAL' }),
      ),
    ).toBe('55000');
    expect(unavailableReason(prismaP2010({ kind: 'DatabaseNotReachable', host: 'db.internal' }))).toBe(
      'DatabaseNotReachable',
    );
    expect(unavailableReason(new Error('timeout exceeded when trying to connect'))).toBe(
      'timeout exceeded when trying to connect',
    );
  });
});

describe('UnavailabilityLog', () => {
  it('logs the start of an outage once, then at most once per interval with a count', () => {
    let now = 0;
    const log = new UnavailabilityLog(60_000, () => now);
    const lines: string[] = [];
    (log as unknown as { logger: { warn: (m: string) => void } }).logger = { warn: (m) => lines.push(m) };
    for (let i = 0; i < 500; i++) {
      log.note(socketError('ECONNREFUSED'), 'GET /x');
      now += 100;
    }
    expect(lines).toEqual(['database unavailable (ECONNREFUSED) in GET /x; answering 503']);
    now += 20_000;
    log.note(socketError('ECONNREFUSED'), 'GET /x');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('(499 more failures since the last report)');
  });
});
