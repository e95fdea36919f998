/**
 * Problem codes of consent extensions (beyond Altinn; docs/errors.md#consent-extensions-beyond-altinn).
 * Codes of our own (CX-…), so an Altinn client still reads Altinn's codes for Altinn's rules.
 */
import { DomainError } from '../common/errors/domain-error.js';

export const ExtensionCodes = {
  consentNotActive: 'CX-00001',
  alreadyPending: 'CX-00002',
  validToNotLater: 'CX-00003',
  notPending: 'CX-00004',
  notFound: 'CX-00005',
  noLongerAllowed: 'CX-00006',
} as const;

export const EXTENSION_TITLES: Record<string, string> = {
  'CX-00001': 'Only an accepted, unexpired consent can be extended',
  'CX-00002': 'The consent already has a pending extension',
  'CX-00003': 'validTo must be later than the consent’s current validTo',
  'CX-00004': 'The extension is no longer pending',
  'CX-00005': 'Extension not found',
  'CX-00006': 'The extension no longer meets the resource’s rules',
};

export function extensionProblem(
  status: number,
  code: string,
  detail: string,
  extensions?: Record<string, unknown>,
): DomainError {
  return new DomainError(status, code, detail, { title: EXTENSION_TITLES[code], extensions });
}

export const extensionNotFound = (id: string): DomainError =>
  extensionProblem(404, ExtensionCodes.notFound, `No extension with id '${id}' exists on this consent.`);

/** 409 CX-00004: the extension was already decided, cancelled or lapsed. */
export const notPending = (e: { id: string; status: string }): DomainError =>
  extensionProblem(409, ExtensionCodes.notPending, `The extension ${e.id} is ${e.status}.`);
