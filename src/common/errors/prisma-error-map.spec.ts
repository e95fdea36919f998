import { describe, expect, it } from '@jest/globals';
import { fromPrismaError, isDatabaseBusy } from './prisma-error-map.js';

/** The shapes a busy database reaches us in: pg directly (SqlPool), and Prisma 7 with adapter-pg. */
const pgError = (code: string) =>
  Object.assign(new Error('canceling statement'), { code, severity: 'ERROR' });
const prismaKnown = (code: string, meta?: unknown) =>
  Object.assign(new Error('prisma'), { name: 'PrismaClientKnownRequestError', code, meta });
const viaAdapter = (sqlstate: string) =>
  prismaKnown('P2010', {
    driverAdapterError: Object.assign(new Error('DriverAdapterError'), {
      cause: { kind: 'postgres', code: sqlstate, originalCode: sqlstate, severity: 'ERROR' },
    }),
  });

describe('a database too busy to answer in time is 503 with Retry-After, never 500', () => {
  it.each([
    ['lock_timeout from pg (55P03)', pgError('55P03')],
    ['statement_timeout from pg (57014)', pgError('57014')],
    ['lock_timeout through Prisma’s driver adapter', viaAdapter('55P03')],
    ['statement_timeout through Prisma’s driver adapter', viaAdapter('57014')],
    ['an interactive transaction that could not start or expired (P2028)', prismaKnown('P2028')],
    ['one wrapped as a cause', Object.assign(new Error('outer'), { cause: pgError('55P03') })],
  ])('%s', (_what, err) => {
    expect(isDatabaseBusy(err)).toBe(true);
    const problem = fromPrismaError(err)!;
    expect({ status: problem.status, code: problem.code, headers: problem.headers }).toEqual({
      status: 503,
      code: 'STD-00503',
      headers: { 'Retry-After': '1' },
    });
  });

  it('leaves other database errors alone (a unique violation stays 409, a syntax error unmapped)', () => {
    expect(isDatabaseBusy(prismaKnown('P2002'))).toBe(false);
    expect(fromPrismaError(prismaKnown('P2002'))!.status).toBe(409);
    expect(isDatabaseBusy(pgError('42601'))).toBe(false);
    expect(fromPrismaError(pgError('42601'))).toBeUndefined();
  });
});
