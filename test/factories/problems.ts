/**
 * Assertions on problem+json answers (RFC 9457 with the `code` and `traceId` extensions), so a
 * test states only the status, code and detail it expects. The whole body is still compared.
 */
import { expect } from '@jest/globals';
import { problemBody } from './consent-fixtures.js';

/** RFC 9110 reason phrases: the `title` of a problem with that status. */
const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  429: 'Too Many Requests',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The answer has `status` and exactly this problem body (its title the status's reason phrase). */
export function expectProblem(
  res: { status: number; body: unknown },
  status: number,
  code: string,
  detail: string,
  validationErrors?: Parameters<typeof problemBody>[4],
): void {
  const title = TITLES[status];
  if (!title) throw new Error(`expectProblem: no reason phrase for ${status}; add it to TITLES`);
  expect(res.status).toBe(status);
  expect(res.body).toEqual(problemBody(status, code, title, detail, validationErrors));
}

/**
 * The answer is problem+json with `status` (and `code`), for tests that check the detail on their
 * own terms or not at all.
 */
export function expectProblemStatus(
  res: { status: number; headers: Headers; body: unknown },
  status: number,
  code?: string,
): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, traceId: expect.any(String) });
  if (code) expect((res.body as { code?: string }).code).toBe(code);
}
