import { DomainError } from '../common/errors/domain-error.js';

/** The resource registry's answers that more than one service gives (RR-…). */
export const ResourceErrors = {
  notFound: (identifier: string): DomainError =>
    DomainError.notFound('RR-00001', `Resource '${identifier}' does not exist.`),

  notYours: (identifier: string): DomainError =>
    DomainError.forbidden(
      'RR-00003',
      `Resource '${identifier}' belongs to another service owner; only its owner may change it.`,
    ),

  duplicate: (identifier: string, deleted: boolean): DomainError =>
    DomainError.conflict(
      'RR-00002',
      deleted
        ? `Resource '${identifier}' existed and was deleted; identifiers are never reused because consents may still name its versions.`
        : `A resource with identifier '${identifier}' already exists.`,
    ),
};
