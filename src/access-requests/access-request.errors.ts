/**
 * Problems of this context (`AR-*`). Validation problems use the shared `STD.VLD-*` codes with
 * JSON paths, so one 400 can name every bad scope at once.
 */
import { DomainError, type ValidationProblem } from '../common/errors/domain-error.js';
import { INVALID_VALUE, REQUIRED } from '../common/errors/validation-errors.js';
import type { AccessRequestStatus } from './access-request.status.js';

export const AccessRequestCodes = {
  notFound: 'AR-00001',
  forbidden: 'AR-00002',
  openRequestExists: 'AR-00003',
  wrongStatus: 'AR-00004',
  foreignAccessList: 'AR-00005',
  unknownAccessList: 'AR-00006',
  resourceGone: 'AR-00007',
} as const;

export const AccessRequestErrors = {
  /** Unknown id, or a request the caller is neither consumer nor owner of (nothing to reveal). */
  notFound: (id: string) =>
    DomainError.notFound(AccessRequestCodes.notFound, `Access request '${id}' does not exist.`),

  notOwner: () =>
    DomainError.forbidden(
      AccessRequestCodes.forbidden,
      "Only the resource's service owner may approve or reject an access request; a consumer cannot decide on its own request.",
    ),

  notConsumer: () =>
    DomainError.forbidden(
      AccessRequestCodes.forbidden,
      'Only the organisation that made the access request may withdraw it.',
    ),

  openRequestExists: (existingId: string | undefined, resource: string) =>
    new DomainError(
      409,
      AccessRequestCodes.openRequestExists,
      `The caller already has an open access request for resource '${resource}'` +
        (existingId ? ` ('${existingId}'); withdraw it or wait for the owner's decision.` : '.'),
      { extensions: existingId ? { existingRequestId: existingId } : {} },
    ),

  wrongStatus: (id: string, status: AccessRequestStatus, action: string) =>
    DomainError.conflict(
      AccessRequestCodes.wrongStatus,
      `Access request '${id}' is ${status}; only a pending request can be ${action}.`,
    ),

  alreadyApprovedWithOtherList: (id: string, list: string | null) =>
    DomainError.conflict(
      AccessRequestCodes.wrongStatus,
      `Access request '${id}' is already approved` +
        (list ? ` with access list '${list}'` : ' without an access list') +
        '; an approval cannot be changed.',
    ),

  foreignAccessList: (list: string) =>
    DomainError.forbidden(
      AccessRequestCodes.foreignAccessList,
      `Access list '${list}' belongs to another service owner; approve with one of your own lists.`,
    ),

  unknownAccessList: (list: string, orgcode: string) =>
    DomainError.notFound(
      AccessRequestCodes.unknownAccessList,
      `Access list '${list}' does not exist for service owner '${orgcode}'; create it first or name another list.`,
    ),

  resourceGone: (id: string, resource: string) =>
    DomainError.conflict(
      AccessRequestCodes.resourceGone,
      `Resource '${resource}' of access request '${id}' no longer exists; reject the request instead.`,
    ),

  accessListRequired: (resource: string) =>
    DomainError.validation(
      [
        {
          code: REQUIRED,
          title: `Resource '${resource}' uses access lists (accessListMode Enabled): name the access list to add the consumer to`,
          paths: ['$.accessList'],
        },
      ],
      `accessList is required to approve a request for resource '${resource}'.`,
    ),

  unknownResource: (resource: string) =>
    DomainError.validation(
      [{ code: INVALID_VALUE, title: `Resource '${resource}' does not exist`, paths: ['$.resource'] }],
      `Resource '${resource}' does not exist.`,
    ),

  ownResource: (resource: string) =>
    DomainError.validation(
      [
        {
          code: INVALID_VALUE,
          title: `Resource '${resource}' belongs to the caller; an owner does not ask itself for access`,
          paths: ['$.resource'],
        },
      ],
      `Resource '${resource}' belongs to the caller.`,
    ),

  /** One 400 naming every scope that is unknown or not the resource owner's. */
  badScopes: (problems: ValidationProblem[], names: string[]) =>
    DomainError.validation(
      problems,
      `These scopes cannot be requested for this resource: ${names.map((n) => `'${n}'`).join(', ')}. ` +
        "Only existing scopes of the resource's service owner can be requested.",
    ),
};
