/**
 * Altinn's consent problem codes (DESIGN §8) and how we render them.
 *
 * Altinn answers several problems with a 500 "multiple problems"; we answer one 400 whose
 * `validationErrors` list every problem found (DESIGN §4), with the top-level `code` being the
 * single code when there is one and `STD-00000` otherwise. Paths are JSON pointers into the
 * request (`/consentRights/0/metadata/inntektsaar`), as Altinn writes them; query parameters use
 * their name (`/createdAfter`).
 */
import { DomainError, type ValidationProblem } from '../common/errors/domain-error.js';
import { INVALID_VALUE, REQUIRED, UNKNOWN_FIELD } from '../common/errors/validation-errors.js';

export { INVALID_VALUE, REQUIRED, UNKNOWN_FIELD };

export const ConsentCodes = {
  notAuthorized: 'AM-00000',
  notFound: 'AM-00001',
  cannotAccept: 'AM-00002',
  unknownOrganization: 'AM-00003',
  unknownPerson: 'AM-00004',
  invalidResource: 'AM-00005',
  unknownMetadata: 'AM-00006',
  missingMetadataValue: 'AM-00007',
  missingMetadata: 'AM-00008',
  resourceCombination: 'AM-00009',
  cannotRevoke: 'AM-00010',
  revoked: 'AM-00011',
  partyMismatch: 'AM-00012',
  expired: 'AM-00013',
  notAccepted: 'AM-00014',
  cannotReject: 'AM-00015',
  idExists: 'AM-00016',
  invalidPartyUrn: 'AM.VLD-00001',
  timeNotInFuture: 'AM.VLD-00022',
  emptyList: 'AM.VLD-00023',
  invalidRedirectUrl: 'AM.VLD-00027',
  createdAfterNotBeforeCreatedBefore: 'AM.VLD-00051',
  invalidEventType: 'AM.VLD-00052',
  invalidContinuationToken: 'AM.VLD-00053',
} as const;

/** Altinn's titles, so a client that shows `title` reads the same text as against Altinn. */
export const CONSENT_TITLES: Record<string, string> = {
  'AM-00000': 'Not authorized for consent request',
  'AM-00001': 'Consent not found',
  'AM-00002': 'Consent has the wrong status to be accepted',
  'AM-00003': 'Unknown organization',
  'AM-00004': 'Unknown person',
  'AM-00005': 'Invalid consent resource',
  'AM-00006': 'Unknown consent metadata',
  'AM-00007': 'Missing metadata value',
  'AM-00008': 'Missing metadata',
  'AM-00009': 'Invalid resource combination',
  'AM-00010': 'Consent cannot be revoked; wrong status',
  'AM-00011': 'Consent is revoked',
  'AM-00012': 'The consented party does not match the party requested',
  'AM-00013': 'Consent is expired',
  'AM-00014': 'Consent is not accepted',
  'AM-00015': 'Consent cannot be rejected; wrong status',
  'AM-00016': 'A consent request with this id already exists',
};

export const VALIDATION_TITLE = 'One or more validation errors occurred.';

/** One problem found while validating, with a human detail for the single-problem answer. */
export interface ConsentProblem extends ValidationProblem {
  detail?: string;
}

export function problem(code: string, path: string, detail?: string, title?: string): ConsentProblem {
  return {
    code,
    title: title ?? CONSENT_TITLES[code] ?? detail ?? code,
    paths: [path],
    ...(detail ? { detail } : {}),
  };
}

/**
 * One 400 carrying every problem. A single Altinn problem (`AM-000xx`) keeps Altinn's title and
 * detail, as in the wire sample; anything else is titled "One or more validation errors occurred."
 */
export function validationError(problems: ConsentProblem[]): DomainError {
  const validationErrors: ValidationProblem[] = problems.map(({ code, title, paths }) => ({
    code,
    title,
    paths,
  }));
  if (problems.length === 1) {
    const [p] = problems;
    const altinnProblem = /^AM-\d{5}$/.test(p.code);
    return new DomainError(400, p.code, p.detail ?? p.title, {
      title: altinnProblem ? (CONSENT_TITLES[p.code] ?? p.title) : VALIDATION_TITLE,
      validationErrors,
    });
  }
  const detail = problems.map((p) => `${p.paths.join(',')}: ${p.detail ?? p.title}`).join('; ');
  return new DomainError(400, 'STD-00000', detail, { title: VALIDATION_TITLE, validationErrors });
}

/** A plain Altinn problem (no field paths): `AM-00001` 404, `AM-00011` 400 and so on. */
export function consentProblem(status: number, code: string, detail: string): DomainError {
  return new DomainError(status, code, detail, { title: CONSENT_TITLES[code] });
}

export const notFound = (id: string): DomainError =>
  consentProblem(404, ConsentCodes.notFound, `No consent request with id '${id}' exists.`);

export const notAuthorized = (
  detail = 'The caller is neither the consumer (`to`) nor `handledBy` of this consent request.',
): DomainError => consentProblem(403, ConsentCodes.notAuthorized, detail);
