/**
 * The `consentRights` of a consent request body (DESIGN §4.6), in Altinn's order: actions, one
 * resource each, metadata keys; then beyond Altinn each right's `required` (partial acceptance).
 * Pure: whether the resource exists is checked by the service with what this returns.
 */
import { canonical, fieldNames, invalid, isObject, MAX_TEXT, required } from './consent-body-fields.js';
import { ConsentCodes, REQUIRED, problem, type ConsentProblem } from './consent-problems.js';

export const RESOURCE_ATTRIBUTE_TYPE = 'urn:altinn:resource';
export const MAX_RIGHTS = 50;
export const MAX_ACTIONS = 20;
export const MAX_METADATA_KEYS = 50;

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

const RIGHT_FIELDS = fieldNames(['action', 'resource', 'metadata', 'required']);
const RESOURCE_FIELDS = fieldNames(['type', 'value']);

export function parseRights(value: unknown, problems: ConsentProblem[]): ParsedRight[] {
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
