import { describe, expect, it } from '@jest/globals';
import { fromPrismaError, isDatabaseUnavailable } from './prisma-error-map.js';

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection (code)', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['pg-pool giving up on a silent database', new Error('timeout exceeded when trying to connect')],
    [
      'the cause of a wrapped error',
      new Error('query failed', { cause: new Error('Connection terminated') }),
    ],
  ])('recognises %s', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
    const problem = fromPrismaError(err);
    expect(problem?.status).toBe(503);
    expect(problem?.headers).toEqual({ 'retry-after': '5' });
  });

  it('does not mistake other errors for an outage', () => {
    expect(isDatabaseUnavailable(new Error('duplicate key value violates unique constraint'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    expect(fromPrismaError(new Error('boom'))).toBeUndefined();
  });
});
