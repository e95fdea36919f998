/**
 * The standard for bad input and refused calls, in two assertions: the answer is a 4xx
 * problem+json with the expected code that names the field (expectRefused), and the refusal
 * changed nothing (expectUnchanged). They keep a refusal test to two lines without checking less.
 */
import { expect } from '@jest/globals';

/** A `fetch` Response (its body not read yet), or an answer whose JSON body is already parsed. */
type Answer = Response | { status: number; headers: Headers; body: unknown };

interface Problem {
  status: number;
  code?: string;
  detail?: string;
  traceId: string;
  validationErrors?: { code: string; title: string; paths: string[] }[];
}

export interface Refusal {
  status: number;
  /** The problem's `code` (e.g. RR-00003, STD-00000). */
  code?: string;
  /**
   * The JSON path the problem names (e.g. `$.identifier`), among its `validationErrors` paths; for
   * a problem without them (a query parameter, a path segment), the detail must name it instead.
   */
  field?: string;
}

/**
 * The answer is `status` (a 4xx) as problem+json with a trace id, the code if given, and the field
 * named if given. Returns the parsed problem for further checks.
 */
export async function expectRefused(res: Answer, o: Refusal): Promise<Problem> {
  const body = (res instanceof Response ? await res.json() : res.body) as Problem;
  expect({ status: res.status, contentType: res.headers.get('content-type') }).toEqual({
    status: o.status,
    contentType: expect.stringContaining('application/problem+json'),
  });
  expect(o.status).toBeGreaterThanOrEqual(400);
  expect(o.status).toBeLessThan(500);
  expect(body).toMatchObject({ status: o.status, traceId: expect.any(String) });
  if (o.code) expect(body.code).toBe(o.code);
  if (o.field) {
    const paths = body.validationErrors?.flatMap((e) => e.paths);
    if (paths?.length) expect(paths).toContain(o.field);
    else expect(body.detail).toContain(o.field.replace(/^\$\./, ''));
  }
  return body;
}

/**
 * Runs `refuse` between two reads of `state` (rows, counts, a resource as read back) and expects
 * them equal: the refused call wrote nothing. Returns what `refuse` returned.
 */
export async function expectUnchanged<T>(
  state: () => Promise<unknown>,
  refuse: () => Promise<T>,
): Promise<T> {
  const before = await state();
  const result = await refuse();
  expect(await state()).toEqual(before);
  return result;
}
