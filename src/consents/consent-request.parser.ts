/**
 * Validation of a consent request body (DESIGN §4.6, §6), in Altinn's order: `id`, parties,
 * `validTo`, `consentRights` (actions, one resource each, metadata keys), `requestMessage`,
 * `redirectUrl`, `portalViewMode`; then beyond Altinn `allowPartialAcceptance` and the rights'
 * `required` (consent-partial-acceptance.ts). This file is pure (no I/O): resource lookups
 * happen in the service with what this returns, and every problem is collected, never only the
 * first.
 *
 * Property names match case-insensitively (Altinn's .NET binder does, and Altinn's own guide
 * writes `metaData`); anything unknown is refused, as is the same property twice.
 */
import { isValidRedirectUrl } from '../common/http/redirect-url.js';
import { LANGS } from '../common/i18n/languages.js';
import { isValidOrgNumber } from '../common/identifiers/org-number.js';
import { isValidPersonNumber } from '../common/identifiers/person-number.js';
import { ORGANIZATION_URN_PREFIX, PERSON_URN_PREFIX, type Party } from '../common/identifiers/party-urn.js';
import {
  ConsentCodes,
  INVALID_VALUE,
  REQUIRED,
  UNKNOWN_FIELD,
  problem,
  type ConsentProblem,
} from './consent-problems.js';
import { parseIsoDateTime } from './iso-datetime.js';
import { checkPartialOptIn, type PartialOptIn } from './consent-partial-acceptance.js';
import { isUuid } from '../common/identifiers/uuid.js';

export const RESOURCE_ATTRIBUTE_TYPE = 'urn:altinn:resource';
export const MAX_RIGHTS = 50;
export const MAX_ACTIONS = 20;
export const MAX_METADATA_KEYS = 50;
export const MAX_TEXT = 4000;

export interface ParsedRight {
  index: number;
  action: string[];
  /** The resource identifier when the right names exactly one well-formed resource. */
  resource?: string;
  /** Metadata as sent (keys as sent); null when absent. */
  metadata: Record<string, string> | null;
  /** `required: true` (partial acceptance, beyond Altinn). */
  required?: boolean;
}

export interface ParsedConsentRequest {
  id?: string;
  from?: Party & { urn: string };
  /** The consumer's org number. */
  toOrg?: string;
  /** A person URN. */
  requiredDelegator: string | null;
  validTo?: Date;
  rights: ParsedRight[];
  requestMessage: Record<string, string> | null;
  redirectUrl?: string;
  portalViewMode: 'hide' | 'show';
  /** Partial acceptance (beyond Altinn): null unless the request opted in. */
  partial: PartialOptIn | null;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Lower-cased name → canonical name, built once per object shape (not per request). */
type FieldNames = ReadonlyMap<string, string>;
const fieldNames = (names: readonly string[]): FieldNames => new Map(names.map((n) => [n.toLowerCase(), n]));

const BODY_FIELDS = fieldNames([
  'id',
  'from',
  'requiredDelegator',
  'to',
  'validTo',
  'consentRights',
  'requestMessage',
  'redirectUrl',
  'portalViewMode',
  'allowPartialAcceptance',
]);
const RIGHT_FIELDS = fieldNames(['action', 'resource', 'metadata', 'required']);
const RESOURCE_FIELDS = fieldNames(['type', 'value']);
const MESSAGE_FIELDS = fieldNames(LANGS);

/**
 * The object's properties under their canonical names; unknown or duplicate names become
 * problems. Returns an empty object when `value` is not an object (the caller reports that).
 */
function canonical(value: Json, byLower: FieldNames, path: string, problems: ConsentProblem[]): Json {
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    const name = byLower.get(key.toLowerCase());
    if (!name) {
      problems.push(
        problem(UNKNOWN_FIELD, `${path}/${key}`, `Unknown field '${key}'.`, `Unknown field ${path}/${key}`),
      );
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(out, name)) {
      problems.push(
        problem(
          INVALID_VALUE,
          `${path}/${name}`,
          `The field '${name}' is given more than once.`,
          'Duplicate field',
        ),
      );
      continue;
    }
    out[name] = v;
  }
  return out;
}

const required = (path: string, name: string): ConsentProblem =>
  problem(REQUIRED, path, `The field '${name}' is required.`, 'The field is required.');
const invalid = (path: string, detail: string): ConsentProblem =>
  problem(INVALID_VALUE, path, detail, detail);

export type PartyParse = { party: Party & { urn: string } } | { problem: ConsentProblem };

/**
 * A party URN with its number's checksum: a well-formed URN whose number fails the checksum names
 * no one (AM-00003 organisation / AM-00004 person, as Altinn answers an unknown party); anything
 * else is not a party URN (AM.VLD-00001).
 */
export function parseParty(value: unknown, path: string, name: string): PartyParse | null {
  if (value === undefined || value === null || value === '') return { problem: required(path, name) };
  if (typeof value !== 'string')
    return {
      problem: problem(
        ConsentCodes.invalidPartyUrn,
        path,
        `'${name}' must be a party URN string.`,
        'Invalid party URN.',
      ),
    };
  if (value.startsWith(PERSON_URN_PREFIX)) {
    const id = value.slice(PERSON_URN_PREFIX.length);
    if (/^\d{11}$/.test(id)) {
      return isValidPersonNumber(id)
        ? { party: { type: 'person', id, urn: value } }
        : {
            problem: problem(
              ConsentCodes.unknownPerson,
              path,
              `'${name}' names no person: ${value.slice(PERSON_URN_PREFIX.length)} is not a valid national identity number.`,
            ),
          };
    }
  } else if (value.startsWith(ORGANIZATION_URN_PREFIX)) {
    const id = value.slice(ORGANIZATION_URN_PREFIX.length);
    if (/^\d{9}$/.test(id)) {
      return isValidOrgNumber(id)
        ? { party: { type: 'organization', id, urn: value } }
        : {
            problem: problem(
              ConsentCodes.unknownOrganization,
              path,
              `'${name}' names no organization: ${value.slice(ORGANIZATION_URN_PREFIX.length)} is not a valid organization number.`,
            ),
          };
    }
  }
  return {
    problem: problem(
      ConsentCodes.invalidPartyUrn,
      path,
      `'${name}' must be urn:altinn:person:identifier-no:<11 digits> or urn:altinn:organization:identifier-no:<9 digits>.`,
      'Invalid party URN.',
    ),
  };
}

function parseRights(value: unknown, problems: ConsentProblem[]): ParsedRight[] {
  if (value === undefined || value === null) {
    problems.push(required('/consentRights', 'consentRights'));
    return [];
  }
  if (!Array.isArray(value)) {
    problems.push(invalid('/consentRights', "'consentRights' must be an array."));
    return [];
  }
  if (value.length === 0) {
    problems.push(
      problem(
        ConsentCodes.emptyList,
        '/consentRights',
        'A consent request needs at least one right.',
        'The list must not be empty.',
      ),
    );
    return [];
  }
  if (value.length > MAX_RIGHTS) {
    problems.push(invalid('/consentRights', `At most ${MAX_RIGHTS} rights per request.`));
    return [];
  }
  const rights: ParsedRight[] = [];
  value.forEach((raw, index) => {
    const path = `/consentRights/${index}`;
    if (!isObject(raw)) {
      problems.push(invalid(path, 'A right must be an object {action, resource, metadata}.'));
      return;
    }
    const r = canonical(raw, RIGHT_FIELDS, path, problems);
    const right: ParsedRight = { index, action: [], metadata: null };

    // Altinn answers an empty action list with its "required" error (its MissingAction test),
    // not with AM.VLD-00023, which it keeps for an empty consentRights list.
    if (r.action === undefined || r.action === null) problems.push(required(`${path}/action`, 'action'));
    else if (Array.isArray(r.action) && r.action.length === 0)
      problems.push(
        problem(REQUIRED, `${path}/action`, 'A right needs at least one action.', 'The field is required.'),
      );
    else if (!Array.isArray(r.action))
      problems.push(invalid(`${path}/action`, "'action' must be an array of strings."));
    else if (r.action.length > MAX_ACTIONS)
      problems.push(invalid(`${path}/action`, `At most ${MAX_ACTIONS} actions per right.`));
    else
      r.action.forEach((a, i) => {
        if (typeof a !== 'string' || !/^[A-Za-z0-9_:.-]{1,100}$/.test(a))
          problems.push(invalid(`${path}/action/${i}`, 'An action is a non-empty word such as "consent".'));
        else right.action.push(a);
      });

    // Exactly one resource of type urn:altinn:resource per right (Altinn: AM-00005 otherwise).
    const resources = r.resource;
    if (!Array.isArray(resources) || resources.length !== 1) {
      problems.push(
        problem(
          ConsentCodes.invalidResource,
          `${path}/resource`,
          resources === undefined || resources === null
            ? 'A right must name exactly one resource; none was given.'
            : 'A right must name exactly one resource of type urn:altinn:resource.',
        ),
      );
    } else if (!isObject(resources[0])) {
      problems.push(
        problem(ConsentCodes.invalidResource, `${path}/resource/0`, 'A resource is an object {type, value}.'),
      );
    } else {
      const res = canonical(resources[0], RESOURCE_FIELDS, `${path}/resource/0`, problems);
      if (res.type !== RESOURCE_ATTRIBUTE_TYPE)
        problems.push(
          problem(
            ConsentCodes.invalidResource,
            `${path}/resource/0/type`,
            `The resource type must be '${RESOURCE_ATTRIBUTE_TYPE}'.`,
          ),
        );
      else if (typeof res.value !== 'string' || !/^[a-z0-9_-]{4,200}$/.test(res.value))
        problems.push(
          problem(
            ConsentCodes.invalidResource,
            `${path}/resource/0/value`,
            `Resource '${typeof res.value === 'string' ? res.value : String(res.value)}' does not exist or is not a consent resource`,
          ),
        );
      else right.resource = res.value;
    }

    if (r.metadata !== undefined && r.metadata !== null) {
      if (!isObject(r.metadata))
        problems.push(invalid(`${path}/metadata`, "'metadata' must be an object of strings."));
      else if (Object.keys(r.metadata).length > MAX_METADATA_KEYS)
        problems.push(invalid(`${path}/metadata`, `At most ${MAX_METADATA_KEYS} metadata keys per right.`));
      else {
        const md: Record<string, string> = {};
        const seen = new Set<string>();
        for (const [k, v] of Object.entries(r.metadata)) {
          const lower = k.toLowerCase();
          if (seen.has(lower)) {
            problems.push(
              invalid(`${path}/metadata/${k}`, `The metadata key '${k}' is given more than once.`),
            );
            continue;
          }
          seen.add(lower);
          if (v !== null && typeof v !== 'string') {
            problems.push(invalid(`${path}/metadata/${k}`, `The value of metadata '${k}' must be a string.`));
            continue;
          }
          if (typeof v === 'string' && v.length > MAX_TEXT) {
            problems.push(
              invalid(
                `${path}/metadata/${k}`,
                `The value of metadata '${k}' is longer than ${MAX_TEXT} characters.`,
              ),
            );
            continue;
          }
          md[k] = v ?? '';
        }
        right.metadata = md;
      }
    }
    if (r.required !== undefined && r.required !== null) {
      if (typeof r.required !== 'boolean')
        problems.push(invalid(`${path}/required`, "'required' must be true or false."));
      else right.required = r.required;
    }
    rights.push(right);
  });
  return rights;
}

function parseRequestMessage(value: unknown, problems: ConsentProblem[]): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) {
    problems.push(invalid('/requestMessage', "'requestMessage' must be an object {nb, nn, en}."));
    return null;
  }
  const msg = canonical(value, MESSAGE_FIELDS, '/requestMessage', problems);
  const out: Record<string, string> = {};
  for (const [lang, text] of Object.entries(msg)) {
    if (typeof text !== 'string')
      problems.push(invalid(`/requestMessage/${lang}`, 'A request message is a string.'));
    else if (text.length > MAX_TEXT)
      problems.push(
        invalid(`/requestMessage/${lang}`, `A request message is at most ${MAX_TEXT} characters.`),
      );
    else out[lang] = text;
  }
  return Object.keys(out).length ? out : null;
}

/** Parses and checks everything that needs no database. `problems` is empty when all is well. */
export function parseConsentRequestBody(
  body: unknown,
  now: Date,
): { value: ParsedConsentRequest; problems: ConsentProblem[] } {
  const problems: ConsentProblem[] = [];
  const value: ParsedConsentRequest = {
    requiredDelegator: null,
    rights: [],
    requestMessage: null,
    portalViewMode: 'hide',
    partial: null,
  };
  if (!isObject(body)) {
    problems.push(invalid('', 'The request body must be a JSON object.'));
    return { value, problems };
  }
  const b = canonical(body, BODY_FIELDS, '', problems);

  if (b.id === undefined || b.id === null || b.id === '') problems.push(required('/id', 'id'));
  else if (!isUuid(b.id)) problems.push(invalid('/id', "'id' must be a UUID."));
  else value.id = b.id.toLowerCase();

  const from = parseParty(b.from, '/from', 'from');
  if (from && 'problem' in from) problems.push(from.problem);
  else if (from) value.from = from.party;

  const to = parseParty(b.to, '/to', 'to');
  if (to && 'problem' in to) problems.push(to.problem);
  else if (to && to.party.type !== 'organization')
    problems.push(
      problem(
        ConsentCodes.invalidPartyUrn,
        '/to',
        "'to' must be an organization URN: only organisations request consent.",
        'Invalid party URN.',
      ),
    );
  else if (to) value.toOrg = to.party.id;

  if (b.requiredDelegator !== undefined && b.requiredDelegator !== null) {
    const d = parseParty(b.requiredDelegator, '/requiredDelegator', 'requiredDelegator');
    if (d && 'problem' in d) problems.push(d.problem);
    else if (d && d.party.type !== 'person')
      problems.push(
        problem(
          ConsentCodes.invalidPartyUrn,
          '/requiredDelegator',
          "'requiredDelegator' must be a person URN.",
          'Invalid party URN.',
        ),
      );
    else if (d) value.requiredDelegator = d.party.urn;
  }

  if (b.validTo === undefined || b.validTo === null || b.validTo === '')
    problems.push(required('/validTo', 'validTo'));
  else {
    const validTo = parseIsoDateTime(b.validTo);
    if (!validTo)
      problems.push(
        invalid('/validTo', "'validTo' must be an ISO 8601 date-time, e.g. 2026-07-18T06:18:12+00:00."),
      );
    else if (validTo.getTime() <= now.getTime())
      problems.push(
        problem(
          ConsentCodes.timeNotInFuture,
          '/validTo',
          `'validTo' (${validTo.toISOString()}) must be in the future.`,
          'The time must be in the future.',
        ),
      );
    else value.validTo = validTo;
  }

  value.rights = parseRights(b.consentRights, problems);
  value.requestMessage = parseRequestMessage(b.requestMessage, problems);

  if (b.redirectUrl === undefined || b.redirectUrl === null || b.redirectUrl === '')
    problems.push(required('/redirectUrl', 'redirectUrl'));
  else if (typeof b.redirectUrl !== 'string' || !isValidRedirectUrl(b.redirectUrl))
    problems.push(
      problem(
        ConsentCodes.invalidRedirectUrl,
        '/redirectUrl',
        "'redirectUrl' must be an absolute http(s) URL or an app URL with a custom scheme (not javascript:, data:, file: …).",
        'Invalid redirect URL.',
      ),
    );
  else value.redirectUrl = b.redirectUrl;

  if (b.portalViewMode !== undefined && b.portalViewMode !== null) {
    const mode = typeof b.portalViewMode === 'string' ? b.portalViewMode.toLowerCase() : '';
    if (mode === 'hide' || mode === 'show') value.portalViewMode = mode;
    else problems.push(invalid('/portalViewMode', "'portalViewMode' is 'hide' or 'show'."));
  }

  value.partial = checkPartialOptIn(b.allowPartialAcceptance, value.rights, problems);

  return { value, problems };
}

const FIELD_ORDER = [
  'id',
  'from',
  'to',
  'requiredDelegator',
  'validTo',
  'consentRights',
  'requestMessage',
  'redirectUrl',
  'portalViewMode',
  'allowPartialAcceptance',
];

/**
 * Puts problems in Altinn's order (unknown fields first, then the fields in the order Altinn
 * checks them, rights by index) once the resource checks have added theirs.
 */
export function orderProblems(problems: ConsentProblem[]): ConsentProblem[] {
  const rank = (p: ConsentProblem): [number, number] => {
    const [, field = '', index = '0'] = (p.paths[0] ?? '').split('/');
    const i = FIELD_ORDER.indexOf(field);
    if (p.code === UNKNOWN_FIELD) return [-1, 0];
    return [i < 0 ? FIELD_ORDER.length : i, field === 'consentRights' ? Number(index) || 0 : 0];
  };
  return problems
    .map((p, n) => ({ p, n, r: rank(p) }))
    .sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1] || a.n - b.n)
    .map((x) => x.p);
}
