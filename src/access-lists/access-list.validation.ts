/**
 * Input checks that class-validator cannot phrase the way Altinn does (one 400 naming every bad
 * member by index, Altinn's RR.VLD codes) or that apply to path and query values.
 */
import type { ValidationProblem } from '../common/errors/domain-error.js';
import { ORGANIZATION_URN_PREFIX } from '../common/identifiers/party-urn.js';
import { isValidOrgNumber } from '../common/identifiers/org-number.js';
import { AccessListErrors, AccessListValidationCodes, validationFailed } from './access-list.errors.js';

/** Members per PUT/POST/DELETE call, as Altinn. */
export const MAX_MEMBERS_PER_CALL = 100;

const LIST_IDENTIFIER = /^[a-z0-9_-]{1,100}$/;
const RESOURCE_IDENTIFIER = /^[a-z0-9_-]{1,255}$/;

export function assertListIdentifier(identifier: string): void {
  if (!LIST_IDENTIFIER.test(identifier))
    throw validationFailed([
      {
        code: AccessListValidationCodes.invalidValue,
        title: 'An access list identifier is 1-100 characters of a-z, 0-9, _ and -.',
        paths: ['identifier'],
      },
    ]);
}

export function assertResourceIdentifier(identifier: string, path: string): void {
  if (!RESOURCE_IDENTIFIER.test(identifier))
    throw validationFailed([
      {
        code: AccessListValidationCodes.invalidValue,
        title: 'A resource identifier is 1-255 characters of a-z, 0-9, _ and -.',
        paths: [path],
      },
    ]);
}

function describe(value: unknown): string {
  const s = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * The org numbers named by `data` (duplicates collapsed, order kept), or one 400 listing every
 * entry that is not `urn:altinn:organization:identifier-no:<9 digits with a valid check digit>`.
 * Checked before anything is stored, so a bad entry anywhere means nothing changes.
 */
export function parseMemberUrns(data: unknown[], op: 'replace' | 'add' | 'remove'): string[] {
  if (data.length > MAX_MEMBERS_PER_CALL) {
    const replace = op === 'replace';
    throw validationFailed([
      {
        code: replace ? AccessListValidationCodes.replaceTooMany : AccessListValidationCodes.addRemoveTooMany,
        title: replace
          ? 'Cannot replace more than 100 members at a time. Use POST and DELETE methods instead.'
          : 'Cannot add or remove more than 100 members at a time.',
        paths: ['$.data'],
      },
    ]);
  }
  const problems: ValidationProblem[] = [];
  const orgNumbers = new Set<string>();
  data.forEach((value, i) => {
    const orgNumber =
      typeof value === 'string' && value.startsWith(ORGANIZATION_URN_PREFIX)
        ? value.slice(ORGANIZATION_URN_PREFIX.length)
        : null;
    if (orgNumber !== null && isValidOrgNumber(orgNumber)) {
      orgNumbers.add(orgNumber);
      return;
    }
    const why =
      orgNumber === null
        ? `expected ${ORGANIZATION_URN_PREFIX}<organisation number>`
        : 'not a valid organisation number (9 digits with a mod-11 check digit)';
    problems.push({
      code: AccessListValidationCodes.invalidPartyUrn,
      title: `Invalid party URN at $.data[${i}]: ${describe(value)} is ${why}.`,
      paths: [`$.data[${i}]`],
    });
  });
  if (problems.length)
    throw validationFailed(
      problems,
      `${problems.length} of ${data.length} members are invalid; nothing was changed.`,
    );
  return [...orgNumbers];
}

export interface Includes {
  connections: boolean;
  actions: boolean;
}

/**
 * Altinn's `include` values (`resources`, `resource-actions`, `members`) plus
 * `resource-connections` (= connections with their action filters, the shape of our samples).
 */
export function parseIncludes(raw: string | string[] | undefined): Includes {
  const out: Includes = { connections: false, actions: false };
  const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((v) =>
    String(v).split(','),
  );
  for (const v of values.map((s) => s.trim()).filter(Boolean)) {
    if (v === 'resources') out.connections = true;
    else if (v === 'resource-actions' || v === 'resource-connections') out.connections = out.actions = true;
    else if (v === 'members') throw AccessListErrors.includeMembersNotImplemented();
    else
      throw validationFailed([
        {
          code: AccessListValidationCodes.invalidValue,
          title: `Invalid value: '${v.slice(0, 50)}' (allowed: resources, resource-actions, resource-connections).`,
          paths: ['include'],
        },
      ]);
  }
  return out;
}

export function stringifyIncludes(i: Includes): string | undefined {
  if (!i.connections) return undefined;
  return i.actions ? 'resource-actions' : 'resources';
}
