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

/** Flattens class-validator's tree into `validationErrors[{code,title,paths}]` with JSON paths. */
export function toValidationProblems(errors: ValidationError[], parent = '$'): ValidationProblem[] {
  const out: ValidationProblem[] = [];
  for (const e of errors) {
    const p = /^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`;
    for (const [constraint, message] of Object.entries(e.constraints ?? {})) {
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
        title: constraint === 'whitelistValidation' ? `Unknown field ${p}` : message,
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
