import {
  ConsentCodes,
  INVALID_VALUE,
  UNKNOWN_FIELD,
  problem,
  type ConsentProblem,
} from './consent-problems.js';
import { CONSENT_STATUSES, type ConsentEventType, type ConsentStatus } from './consent.record.js';
import { parseIsoDateTime } from './iso-datetime.js';

/**
 * Query parameters by their canonical name (matched case-insensitively, as Altinn's binder
 * does). Unknown parameters are problems (DESIGN §6); a repeated parameter keeps every value.
 */
export function readQuery(
  query: unknown,
  names: readonly string[],
  problems: ConsentProblem[],
): Record<string, string[] | undefined> {
  const out: Record<string, string[] | undefined> = {};
  if (query === null || query === undefined || typeof query !== 'object') return out;
  const byLower = new Map(names.map((n) => [n.toLowerCase(), n]));
  for (const [key, raw] of Object.entries(query as Record<string, unknown>)) {
    const name = byLower.get(key.toLowerCase());
    if (!name) {
      problems.push(
        problem(
          UNKNOWN_FIELD,
          `/${key}`,
          `Unknown query parameter '${key}'.`,
          `Unknown query parameter ${key}`,
        ),
      );
      continue;
    }
    const values = (Array.isArray(raw) ? raw : [raw]).map(String);
    out[name] = [...(out[name] ?? []), ...values];
  }
  return out;
}

/** The single value of a parameter; a repeated single-valued parameter is a problem. */
export function single(
  q: Record<string, string[] | undefined>,
  name: string,
  problems: ConsentProblem[],
): string | undefined {
  const v = q[name];
  if (!v) return undefined;
  if (v.length > 1) {
    problems.push(
      problem(INVALID_VALUE, `/${name}`, `'${name}' may be given once.`, `'${name}' may be given once.`),
    );
    return undefined;
  }
  return v[0];
}

/** Values of a list parameter, repeated (`?a=x&a=y`) or comma-separated (`?a=x,y`). */
export function list(q: Record<string, string[] | undefined>, name: string): string[] | undefined {
  const v = q[name];
  if (!v) return undefined;
  return v
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Status / event-type values (of `allowed`), any case; anything else is AM.VLD-00052. */
export function parseStatuses<T extends ConsentEventType = ConsentStatus>(
  values: string[] | undefined,
  path: string,
  problems: ConsentProblem[],
  allowed: readonly T[] = CONSENT_STATUSES as readonly T[],
): T[] | undefined {
  if (!values) return undefined;
  const out: T[] = [];
  for (const v of values) {
    const s = v.toLowerCase() as T;
    if (allowed.includes(s)) out.push(s);
    else
      problems.push(
        problem(
          ConsentCodes.invalidEventType,
          path,
          `'${v}' is not one of ${allowed.join(', ')}.`,
          'Invalid event type.',
        ),
      );
  }
  return out;
}

/** `createdAfter` / `createdBefore` as dates; after ≥ before is AM.VLD-00051. */
export function parseTimeRange(
  q: Record<string, string[] | undefined>,
  problems: ConsentProblem[],
): { after?: Date; before?: Date } {
  const range: { after?: Date; before?: Date } = {};
  for (const [name, key] of [
    ['createdAfter', 'after'],
    ['createdBefore', 'before'],
  ] as const) {
    const raw = single(q, name, problems);
    if (raw === undefined) continue;
    const d = parseIsoDateTime(raw);
    if (d) range[key] = d;
    else
      problems.push(
        problem(INVALID_VALUE, `/${name}`, `'${name}' must be an ISO 8601 date-time.`, `Invalid ${name}`),
      );
  }
  if (range.after && range.before && range.after.getTime() >= range.before.getTime())
    problems.push(
      problem(
        ConsentCodes.createdAfterNotBeforeCreatedBefore,
        '/createdAfter',
        "'createdAfter' must be earlier than 'createdBefore'.",
        'createdAfter must be earlier than createdBefore.',
      ),
    );
  return range;
}
