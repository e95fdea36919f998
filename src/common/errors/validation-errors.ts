import type { ValidationError } from 'class-validator';
import { DomainError, type ValidationProblem } from './domain-error.js';

export const REQUIRED = 'STD.VLD-00000';
export const INVALID_VALUE = 'STD.VLD-00001';
export const UNKNOWN_FIELD = 'STD.VLD-00002';

const REQUIRED_CONSTRAINTS = new Set(['isDefined', 'isNotEmpty', 'arrayNotEmpty']);

/**
 * What a DTO rule may put in its class-validator `context` to shape the problems it reports: its
 * own problem code (instead of STD.VLD-00001), or — for a rule over a list that names each
 * offending element, which one class-validator message cannot — the problems themselves.
 */
export interface ProblemContext {
  code?: string;
  problems?: (value: unknown, path: string) => ValidationProblem[];
}

/**
 * Type checks: when one fails, the other rules on that field (length, pattern, range) only repeat
 * the same mistake in other words.
 */
const TYPE_CONSTRAINTS =
  /^is(String|Int|Number|Boolean|Array|Object|Date|Enum|In|Uuid|OrgNumber|PersonNumber)$|^nested/;

/**
 * The rules of one field worth telling: a missing field is one "required" message (not also
 * "must be a string", "must be shorter than…"), a value of the wrong type is its type message;
 * otherwise every rule it breaks, as each says something different.
 */
function constraintsToReport(e: ValidationError): [string, string][] {
  const all = Object.entries(e.constraints ?? {});
  if (all.length < 2) return all;
  const missing = e.value === undefined || e.value === null;
  const required = all.filter(([c]) => REQUIRED_CONSTRAINTS.has(c));
  if (missing && required.length) return required.slice(0, 1);
  const typed = all.filter(([c]) => TYPE_CONSTRAINTS.test(c));
  if (typed.length && typed.length < all.length) return typed.slice(0, 1);
  return all;
}

/** Flattens class-validator's tree into `validationErrors[{code,title,paths}]` with JSON paths. */
export function toValidationProblems(errors: ValidationError[], parent = '$'): ValidationProblem[] {
  const out: ValidationProblem[] = [];
  for (const e of errors) {
    const p = /^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`;
    for (const [constraint, message] of constraintsToReport(e)) {
      const context = e.contexts?.[constraint] as ProblemContext | undefined;
      if (context?.problems) {
        out.push(...context.problems(e.value, p));
        continue;
      }
      const code =
        context?.code ??
        (constraint === 'whitelistValidation'
          ? UNKNOWN_FIELD
          : REQUIRED_CONSTRAINTS.has(constraint) &&
              (e.value === undefined || e.value === null || e.value === '')
            ? REQUIRED
            : INVALID_VALUE);
      out.push({
        code,
        title:
          constraint === 'whitelistValidation'
            ? `Unknown field ${p}`
            : code === REQUIRED
              ? `${p.slice(2)} is required`
              : message,
        paths: [p],
      });
    }
    if (e.children?.length) out.push(...toValidationProblems(e.children, p));
  }
  return out;
}

/** Used as ValidationPipe's exceptionFactory, so DTO errors are domain errors like any other. */
export function validationExceptionFactory(errors: ValidationError[]): DomainError {
  const problems = toValidationProblems(errors);
  return DomainError.validation(
    problems.length ? problems : [{ code: INVALID_VALUE, title: 'Invalid request', paths: ['$'] }],
  );
}
