/**
 * Problems this context raises. Validation codes keep Altinn's resource-registry numbering
 * (`RR.VLD-0000x`, top-level `STD-00000`) so an existing Altinn client recognises them; the
 * rest are ours (`AL-*`).
 */
import { DomainError, type ValidationProblem } from '../common/errors/domain-error.js';

export const AccessListValidationCodes = {
  /** Altinn: "Cannot replace more than 100 members at a time. Use POST and DELETE methods instead." */
  replaceTooMany: 'RR.VLD-00000',
  /** Altinn: "Cannot add or remove more than 100 members at a time." */
  addRemoveTooMany: 'RR.VLD-00001',
  /** Altinn: "Resource identifier is required when including resource connections." */
  includeNeedsResource: 'RR.VLD-00002',
  /** Altinn: "Invalid party URN." */
  invalidPartyUrn: 'RR.VLD-00004',
  /** A path or query value with the wrong grammar. */
  invalidValue: 'STD.VLD-00001',
} as const;

/** One 400 carrying every problem, with Altinn's top-level code. */
export function validationFailed(
  problems: ValidationProblem[],
  detail = 'One or more validation errors occurred.',
): DomainError {
  return new DomainError(400, 'STD-00000', detail, { validationErrors: problems, title: 'Bad Request' });
}

export const AccessListErrors = {
  notFound: (owner: string, identifier: string) =>
    DomainError.notFound('AL-00001', `Access list '${identifier}' does not exist for owner '${owner}'.`),
  notYourOwner: () =>
    DomainError.forbidden('AL-00002', 'The caller does not act for the service owner in the path.'),
  preconditionFailed: () =>
    DomainError.preconditionFailed(
      'AL-00003',
      'A request precondition failed (If-Match, If-None-Match, If-Modified-Since or If-Unmodified-Since).',
    ),
  changedWhilePaging: () =>
    DomainError.preconditionFailed(
      'AL-00004',
      'The access list changed while paging through it; start again from the first page.',
    ),
  invalidContinuationToken: () =>
    validationFailed(
      [
        {
          code: AccessListValidationCodes.invalidValue,
          title: 'Invalid continuation token.',
          paths: ['token'],
        },
      ],
      'The continuation token is invalid or belongs to another query.',
    ),
  malformedConditionHeader: (header: string) =>
    validationFailed(
      [{ code: AccessListValidationCodes.invalidValue, title: `Invalid ${header} header.`, paths: [header] }],
      `The ${header} header is not a valid entity-tag list.`,
    ),
  resourceNotOwned: (resource: string) =>
    DomainError.forbidden(
      'AL-00005',
      `Cannot connect resource '${resource}': it does not exist or is not owned by the same service owner as the access list.`,
    ),
  includeMembersNotImplemented: () =>
    new DomainError(501, 'AL-00006', 'Members are not supported as an include option for this endpoint.', {
      title: 'Not Implemented',
    }),
};
