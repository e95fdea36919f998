/**
 * Partial acceptance (beyond Altinn; issue 23, docs/consent-lifecycle.md#partial-acceptance):
 * a consumer that sends `allowPartialAcceptance: true` on a request with several rights lets the
 * person accept some rights and decline the others; `required: true` on a right means the person
 * cannot accept without it. Everything here is pure: the parser, the service and the mapper call
 * it with what they have.
 *
 * A request without the member is stored with `partial_acceptance` null and behaves exactly as
 * in Altinn, so an unmodified Altinn client sees no change. Rights are named by their index in
 * `consentRights`, because a request may name the same resource twice (other metadata).
 */
import { INVALID_VALUE, problem, validationError, type ConsentProblem } from './consent-problems.js';
import type { ConsentRight, PartialAcceptance } from './consent.record.js';

export const PartialCodes = {
  /** `allowPartialAcceptance` on a request with a single right: nothing to choose between. */
  singleRight: 'PA-00001',
  /** `required` on a right of a request that does not allow partial acceptance. */
  requiredWithoutOptIn: 'PA-00002',
  /** Every right is required: that is all-or-nothing, so the opt-in means nothing. */
  allRequired: 'PA-00003',
  /** An acceptance that accepts no right (declining everything is a rejection). */
  nothingAccepted: 'PA-00004',
  /** An acceptance that leaves out a right the consumer marked required. */
  requiredDeclined: 'PA-00005',
  /** An acceptance naming rights the request does not have, or choosing on a request that did not opt in. */
  invalidChoice: 'PA-00006',
} as const;

/** The opt-in as parsed from a create body: null when the request did not ask for it. */
export interface PartialOptIn {
  required: number[];
}

/**
 * Checks `allowPartialAcceptance` and the rights' `required` flags (already type-checked by the
 * parser). Problems go to `problems`; returns what to store (null = Altinn's behaviour).
 */
export function checkPartialOptIn(
  allow: unknown,
  rights: ReadonlyArray<{ index: number; required?: boolean }>,
  problems: ConsentProblem[],
): PartialOptIn | null {
  if (allow !== undefined && allow !== null && typeof allow !== 'boolean') {
    problems.push(
      problem(INVALID_VALUE, '/allowPartialAcceptance', "'allowPartialAcceptance' must be true or false."),
    );
    return null;
  }
  const required = rights.filter((r) => r.required).map((r) => r.index);
  if (allow !== true) {
    for (const index of required)
      problems.push(
        problem(
          PartialCodes.requiredWithoutOptIn,
          `/consentRights/${index}/required`,
          "'required' only means something with 'allowPartialAcceptance': true.",
        ),
      );
    return null;
  }
  if (rights.length === 1) {
    problems.push(
      problem(
        PartialCodes.singleRight,
        '/allowPartialAcceptance',
        "'allowPartialAcceptance' needs at least two rights to choose between; this request has one.",
      ),
    );
    return null;
  }
  if (rights.length > 0 && required.length === rights.length) {
    problems.push(
      problem(
        PartialCodes.allRequired,
        '/consentRights',
        "Every right is marked 'required', which leaves the person nothing to choose: leave 'allowPartialAcceptance' out for an all-or-nothing request.",
      ),
    );
    return null;
  }
  return { required };
}

/** The stored JSON as a typed value; null for Altinn's behaviour (or anything unreadable). */
export function readPartialAcceptance(stored: unknown): PartialAcceptance | null {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return null;
  const s = stored as { required?: unknown; declined?: unknown };
  const indexes = (v: unknown): number[] | null =>
    Array.isArray(v) && v.every((i) => Number.isInteger(i) && (i as number) >= 0) ? (v as number[]) : null;
  return { required: indexes(s.required) ?? [], declined: indexes(s.declined) };
}

/**
 * The rights the consent grants: all of them, minus those the person declined. What tokens
 * carry, what the gateway compares tokens with and what the issuer lookup answers.
 */
export function grantedRights(rights: ConsentRight[], partial: PartialAcceptance | null): ConsentRight[] {
  const declined = new Set(partial?.declined ?? []);
  return declined.size ? rights.filter((_r, i) => !declined.has(i)) : rights;
}

/**
 * The declined indexes for an acceptance of `accepted` (indexes; undefined = everything), or a
 * 400 naming what is wrong. A request that did not opt in can only be accepted whole.
 */
export function declinedFor(
  partial: PartialAcceptance | null,
  rightsCount: number,
  accepted: readonly number[] | undefined,
): number[] {
  if (accepted === undefined) return [];
  const fail = (code: string, detail: string) => validationError([problem(code, '/acceptedRights', detail)]);
  const chosen = new Set(accepted);
  const outOfRange = accepted.some((i) => !Number.isInteger(i) || i < 0 || i >= rightsCount);
  if (outOfRange || chosen.size !== accepted.length)
    throw fail(PartialCodes.invalidChoice, 'The accepted rights must be distinct rights of this request.');
  if (!partial) {
    if (chosen.size === rightsCount) return [];
    throw fail(PartialCodes.invalidChoice, 'This request does not allow partial acceptance.');
  }
  if (chosen.size === 0)
    throw fail(PartialCodes.nothingAccepted, 'Accept at least one right, or reject the request.');
  const missing = partial.required.filter((i) => !chosen.has(i));
  if (missing.length)
    throw fail(
      PartialCodes.requiredDeclined,
      `Rights ${missing.join(', ')} are required by the consumer and cannot be declined.`,
    );
  return [...Array(rightsCount).keys()].filter((i) => !chosen.has(i));
}

/**
 * The rights with their outcome for readers of a partial request (API, export, receipt):
 * `required: true` where the consumer marked it, `accepted` once the person has decided.
 */
export function rightsWithOutcome(
  rights: ConsentRight[],
  partial: PartialAcceptance,
): Array<ConsentRight & { required?: true; accepted?: boolean }> {
  const required = new Set(partial.required);
  const declined = partial.declined ? new Set(partial.declined) : null;
  return rights.map((r, i) => ({
    ...r,
    ...(required.has(i) ? { required: true as const } : {}),
    ...(declined ? { accepted: !declined.has(i) } : {}),
  }));
}
