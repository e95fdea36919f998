/**
 * Validation of a resource policy body (PUT …/resource/{id}/policy). Pure: the caller passes
 * the resource's declared metadata keys. Every problem is reported at once with its JSON path;
 * what comes back when there are none is exactly what is stored.
 */
import { compileRe2 } from './re2-pattern.js';
import type { ValidationProblem } from '../common/errors/domain-error.js';
import { INVALID_VALUE, UNKNOWN_FIELD } from '../common/errors/validation-errors.js';
import { isValidRedirectUrl, MAX_REDIRECT_URL_LENGTH } from '../common/http/redirect-url.js';
import { isValidOrgNumber } from '../common/identifiers/org-number.js';
import {
  NO_POLICY,
  parseDuration,
  type MetadataValueRule,
  type ResourcePolicyView,
} from './resource-policy.view.js';

export const MAX_ALLOW_LIST_CONSUMERS = 1000;
export const MAX_URLS_PER_CONSUMER = 20;
export const MAX_ENUM_VALUES = 200;
export const MAX_PATTERN_LENGTH = 500;
export const MAX_CALLS_PER_DAY = 100_000_000;
/** The longest validity a policy may allow; Altinn itself caps nothing, banks ask for three years. */
export const MAX_VALIDITY_YEARS = 100;

export const MAX_REMINDER_DAYS = 365;

const FIELDS = new Set([
  'expiryReminderDays',
  'maxValidity',
  'httpsRedirectOnly',
  'redirectAllowList',
  'callsPerDay',
  'metadataValues',
  'applyToExistingConsents',
]);
/** Members GET returns that a PUT may carry back unchanged (DESIGN §11: GET → edit → PUT). */
const READ_ONLY = new Set(['resource', 'updatedAt', 'updatedBy']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keyPath(parent: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

const invalid = (path: string, title: string): ValidationProblem => ({
  code: INVALID_VALUE,
  title,
  paths: [path],
});

export function validateResourcePolicy(
  raw: unknown,
  declaredMetadataKeys: string[],
): { policy: ResourcePolicyView; problems: ValidationProblem[] } {
  const problems: ValidationProblem[] = [];
  const policy: ResourcePolicyView = { ...NO_POLICY };
  if (!isObject(raw)) return { policy, problems: [invalid('$', 'The policy must be a JSON object.')] };
  for (const key of Object.keys(raw))
    if (!FIELDS.has(key) && !READ_ONLY.has(key))
      problems.push({
        code: UNKNOWN_FIELD,
        title: `Unknown field ${keyPath('$', key)}`,
        paths: [keyPath('$', key)],
      });

  const {
    maxValidity,
    httpsRedirectOnly,
    redirectAllowList,
    callsPerDay,
    metadataValues,
    expiryReminderDays,
    applyToExistingConsents,
  } = raw;
  if (expiryReminderDays !== undefined && expiryReminderDays !== null) {
    if (
      typeof expiryReminderDays !== 'number' ||
      !Number.isInteger(expiryReminderDays) ||
      expiryReminderDays < 1 ||
      expiryReminderDays > MAX_REMINDER_DAYS
    )
      problems.push(
        invalid(
          '$.expiryReminderDays',
          `expiryReminderDays must be an integer from 1 to ${MAX_REMINDER_DAYS}`,
        ),
      );
    else policy.expiryReminderDays = expiryReminderDays;
  }
  if (maxValidity !== undefined && maxValidity !== null) {
    const d = typeof maxValidity === 'string' ? parseDuration(maxValidity) : null;
    if (!d)
      problems.push(
        invalid(
          '$.maxValidity',
          'maxValidity must be a positive ISO 8601 duration of years, months, weeks and days, e.g. P3Y or P90D',
        ),
      );
    else if (d.years + d.months / 12 + (d.weeks * 7 + d.days) / 366 > MAX_VALIDITY_YEARS)
      problems.push(invalid('$.maxValidity', `maxValidity may be at most P${MAX_VALIDITY_YEARS}Y`));
    else policy.maxValidity = maxValidity as string;
  }

  if (httpsRedirectOnly !== undefined && httpsRedirectOnly !== null) {
    if (typeof httpsRedirectOnly !== 'boolean')
      problems.push(invalid('$.httpsRedirectOnly', 'httpsRedirectOnly must be a boolean value'));
    else policy.httpsRedirectOnly = httpsRedirectOnly;
  }

  if (applyToExistingConsents !== undefined && applyToExistingConsents !== null) {
    if (typeof applyToExistingConsents !== 'boolean')
      problems.push(invalid('$.applyToExistingConsents', 'applyToExistingConsents must be a boolean value'));
    else policy.applyToExistingConsents = applyToExistingConsents;
  }

  if (callsPerDay !== undefined && callsPerDay !== null) {
    if (
      typeof callsPerDay !== 'number' ||
      !Number.isInteger(callsPerDay) ||
      callsPerDay < 1 ||
      callsPerDay > MAX_CALLS_PER_DAY
    )
      problems.push(
        invalid('$.callsPerDay', `callsPerDay must be an integer from 1 to ${MAX_CALLS_PER_DAY}`),
      );
    else policy.callsPerDay = callsPerDay;
  }

  if (redirectAllowList !== undefined && redirectAllowList !== null)
    policy.redirectAllowList = allowList(redirectAllowList, policy.httpsRedirectOnly, problems);

  if (metadataValues !== undefined && metadataValues !== null)
    policy.metadataValues = metadataRules(metadataValues, declaredMetadataKeys, problems);

  return { policy, problems };
}

function allowList(
  raw: unknown,
  httpsOnly: boolean,
  problems: ValidationProblem[],
): Record<string, string[]> | null {
  const base = '$.redirectAllowList';
  if (!isObject(raw)) {
    problems.push(
      invalid(base, 'redirectAllowList must be an object: consumer org number (or "*") → list of URLs'),
    );
    return null;
  }
  const entries = Object.entries(raw);
  if (entries.length > MAX_ALLOW_LIST_CONSUMERS)
    problems.push(invalid(base, `redirectAllowList may name at most ${MAX_ALLOW_LIST_CONSUMERS} consumers`));
  const out: Record<string, string[]> = {};
  for (const [org, urls] of entries) {
    const path = keyPath(base, org);
    if (org !== '*' && !isValidOrgNumber(org)) {
      problems.push(
        invalid(
          path,
          `'${String(org)}' is not a valid organisation number (9 digits with a valid check digit) or "*"`,
        ),
      );
      continue;
    }
    if (!Array.isArray(urls) || urls.length === 0 || urls.length > MAX_URLS_PER_CONSUMER) {
      problems.push(
        invalid(path, `Each consumer needs a list of 1 to ${MAX_URLS_PER_CONSUMER} redirect URLs`),
      );
      continue;
    }
    const list: string[] = [];
    urls.forEach((url, i) => {
      const p = `${path}[${i}]`;
      if (typeof url !== 'string' || url.length > MAX_REDIRECT_URL_LENGTH || !isValidRedirectUrl(url))
        problems.push(
          invalid(
            p,
            'An allowed redirect URL must be an absolute http(s) URL or an app URL with a custom scheme',
          ),
        );
      else if (/[#]/.test(url) || /^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(url))
        problems.push(invalid(p, 'An allowed redirect URL may not carry credentials or a fragment'));
      else if (httpsOnly && !/^https:/i.test(url))
        problems.push(invalid(p, 'httpsRedirectOnly is set, so every allowed redirect URL must be https'));
      else list.push(url);
    });
    out[org] = list;
  }
  return out;
}

function metadataRules(
  raw: unknown,
  declared: string[],
  problems: ValidationProblem[],
): Record<string, MetadataValueRule> | null {
  const base = '$.metadataValues';
  if (!isObject(raw)) {
    problems.push(invalid(base, 'metadataValues must be an object: metadata key → {enum} or {pattern}'));
    return null;
  }
  const byLower = new Map(declared.map((k) => [k.toLowerCase(), k]));
  const out: Record<string, MetadataValueRule> = {};
  for (const [key, rule] of Object.entries(raw)) {
    const path = keyPath(base, key);
    const canonical = byLower.get(key.toLowerCase());
    if (!canonical) {
      problems.push(invalid(path, `'${key}' is not a metadata key of this resource (consentMetadata)`));
      continue;
    }
    if (!isObject(rule) || (rule.enum === undefined) === (rule.pattern === undefined)) {
      problems.push(
        invalid(path, 'A metadata rule is exactly one of {"enum": [values]} or {"pattern": "RE2 pattern"}'),
      );
      continue;
    }
    for (const extra of Object.keys(rule).filter((k) => k !== 'enum' && k !== 'pattern'))
      problems.push({
        code: UNKNOWN_FIELD,
        title: `Unknown field ${keyPath(path, extra)}`,
        paths: [keyPath(path, extra)],
      });
    if (rule.enum !== undefined) {
      const values = rule.enum;
      if (
        !Array.isArray(values) ||
        values.length === 0 ||
        values.length > MAX_ENUM_VALUES ||
        values.some((v) => typeof v !== 'string' || v.trim() === '' || v.length > 4000)
      )
        problems.push(
          invalid(`${path}.enum`, `enum must be a list of 1 to ${MAX_ENUM_VALUES} non-empty strings`),
        );
      else out[canonical] = { enum: [...new Set(values as string[])] };
    } else {
      const pattern = rule.pattern;
      if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH)
        problems.push(
          invalid(
            `${path}.pattern`,
            `pattern must be a non-empty string of at most ${MAX_PATTERN_LENGTH} characters`,
          ),
        );
      else if (!compiles(pattern))
        problems.push(
          invalid(
            `${path}.pattern`,
            'pattern is not a valid RE2 regular expression (no backreferences or lookaround)',
          ),
        );
      else out[canonical] = { pattern };
    }
  }
  return out;
}

function compiles(pattern: string): boolean {
  try {
    compileRe2(pattern);
    return true;
  } catch {
    return false;
  }
}
