/**
 * Party URNs in a consent request body (DESIGN §4.6): a person or an organisation, its number's
 * checksum included.
 */
import { isValidOrgNumber } from '../common/identifiers/org-number.js';
import { isValidPersonNumber } from '../common/identifiers/person-number.js';
import { ORGANIZATION_URN_PREFIX, PERSON_URN_PREFIX, type Party } from '../common/identifiers/party-urn.js';
import { required } from './consent-body-fields.js';
import { ConsentCodes, problem, type ConsentProblem } from './consent-problems.js';

export type PartyParse = { party: Party & { urn: string } } | { problem: ConsentProblem };

interface PartyKind {
  type: Party['type'];
  prefix: string;
  digits: RegExp;
  valid: (id: string) => boolean;
  /** Altinn's code for a well-formed URN that names no such party. */
  unknown: string;
  number: string;
}

/** Each kind of party URN: its prefix, its number's shape and checksum. */
const KINDS: readonly PartyKind[] = [
  {
    type: 'person',
    prefix: PERSON_URN_PREFIX,
    digits: /^\d{11}$/,
    valid: isValidPersonNumber,
    unknown: ConsentCodes.unknownPerson,
    number: 'a valid national identity number',
  },
  {
    type: 'organization',
    prefix: ORGANIZATION_URN_PREFIX,
    digits: /^\d{9}$/,
    valid: isValidOrgNumber,
    unknown: ConsentCodes.unknownOrganization,
    number: 'a valid organization number',
  },
];

const invalidUrn = (path: string, detail: string): ConsentProblem =>
  problem(ConsentCodes.invalidPartyUrn, path, detail, 'Invalid party URN.');

/**
 * A party URN with its number's checksum: a well-formed URN whose number fails the checksum names
 * no one (AM-00003 organisation / AM-00004 person, as Altinn answers an unknown party); anything
 * else is not a party URN (AM.VLD-00001).
 */
export function parseParty(value: unknown, path: string, name: string): PartyParse {
  if (value === undefined || value === null || value === '') return { problem: required(path, name) };
  if (typeof value !== 'string')
    return { problem: invalidUrn(path, `'${name}' must be a party URN string.`) };
  for (const kind of KINDS) {
    if (!value.startsWith(kind.prefix)) continue;
    const id = value.slice(kind.prefix.length);
    if (!kind.digits.test(id)) break;
    return kind.valid(id)
      ? { party: { type: kind.type, id, urn: value } }
      : {
          problem: problem(
            kind.unknown,
            path,
            `'${name}' names no ${kind.type}: ${id} is not ${kind.number}.`,
          ),
        };
  }
  return {
    problem: invalidUrn(
      path,
      `'${name}' must be urn:altinn:person:identifier-no:<11 digits> or urn:altinn:organization:identifier-no:<9 digits>.`,
    ),
  };
}

/** `parseParty`, and then the party must be of `type` (AM.VLD-00001 with `detail` otherwise). */
export function parsePartyOfType(
  value: unknown,
  path: string,
  name: string,
  type: Party['type'],
  detail: string,
): PartyParse {
  const parsed = parseParty(value, path, name);
  if ('party' in parsed && parsed.party.type !== type) return { problem: invalidUrn(path, detail) };
  return parsed;
}

/** The party, or undefined with its problem added to `problems`. */
export function partyOrProblem(
  parsed: PartyParse,
  problems: ConsentProblem[],
): (Party & { urn: string }) | undefined {
  if ('problem' in parsed) {
    problems.push(parsed.problem);
    return undefined;
  }
  return parsed.party;
}
