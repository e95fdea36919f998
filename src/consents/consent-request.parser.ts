/**
 * Validation of a consent request body (DESIGN §4.6, §6), in Altinn's order: `id`, parties,
 * `validTo`, `consentRights` (actions, one resource each, metadata keys), `requestMessage`,
 * `redirectUrl`, `portalViewMode`; then beyond Altinn `allowPartialAcceptance` and the rights'
 * `required` (consent-partial-acceptance.ts). This file is pure (no I/O): resource lookups
 * happen in the service with what this returns, and every problem is collected, never only the
 * first. The rights are read by consent-rights.parser.ts, the parties by consent-party.parser.ts,
 * property names as consent-body-fields.ts says.
 */
import { isValidRedirectUrl } from '../common/http/redirect-url.js';
import { LANGS } from '../common/i18n/languages.js';
import type { Party } from '../common/identifiers/party-urn.js';
import { isUuid } from '../common/identifiers/uuid.js';
import { canonical, fieldNames, invalid, isObject, MAX_TEXT, required } from './consent-body-fields.js';
import { checkPartialOptIn, type PartialOptIn } from './consent-partial-acceptance.js';
import { parseParty, parsePartyOfType, partyOrProblem } from './consent-party.parser.js';
import { ConsentCodes, UNKNOWN_FIELD, problem, type ConsentProblem } from './consent-problems.js';
import { parseRights, type ParsedRight } from './consent-rights.parser.js';
import { parseIsoDateTime } from './iso-datetime.js';

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

/** The body's fields in the order Altinn checks them (and reports their problems). */
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
const BODY_FIELDS = fieldNames(FIELD_ORDER);
const MESSAGE_FIELDS = fieldNames(LANGS);

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

  value.from = partyOrProblem(parseParty(b.from, '/from', 'from'), problems);
  const toMessage = "'to' must be an organization URN: only organisations request consent.";
  value.toOrg = partyOrProblem(parsePartyOfType(b.to, '/to', 'to', 'organization', toMessage), problems)?.id;
  if (b.requiredDelegator !== undefined && b.requiredDelegator !== null) {
    const delegatorMessage = "'requiredDelegator' must be a person URN.";
    const path = '/requiredDelegator';
    const delegator = parsePartyOfType(
      b.requiredDelegator,
      path,
      'requiredDelegator',
      'person',
      delegatorMessage,
    );
    value.requiredDelegator = partyOrProblem(delegator, problems)?.urn ?? null;
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
