/**
 * The owners' policies (beyond Altinn; docs/consent-lifecycle.md) applied to a new consent
 * request. Pure: the service passes the parsed request and the policy of each resource it
 * names. A request naming several resources must satisfy every one of their policies. Problems
 * use codes of their own (CP-…), so an Altinn client still reads Altinn's codes for Altinn's
 * rules, and each names the field it is about.
 */
import {
  addDuration,
  metadataValueAllowed,
  redirectMatches,
  type ResourcePolicyView,
} from '../resources/resource-policy.view.js';
import { problem, type ConsentProblem } from './consent-problems.js';
import type { ConsentRecord } from './consent.record.js';
import type { ParsedConsentRequest } from './consent-request.parser.js';
import type { ParsedRight } from './consent-rights.parser.js';

export const PolicyCodes = {
  validityTooLong: 'CP-00001',
  redirectNotHttps: 'CP-00002',
  redirectNotAllowed: 'CP-00003',
  metadataValueNotAllowed: 'CP-00004',
} as const;

/** A right as a policy judges it: its place in the request (a problem's path names it), its resource and metadata. */
export type JudgedRight = Pick<ParsedRight, 'index' | 'resource' | 'metadata'>;

/** What a policy judges: a new request as parsed, or a stored consent's terms (an extension). */
export type PolicySubject = Pick<ParsedConsentRequest, 'toOrg' | 'validTo' | 'redirectUrl'> & {
  rights: readonly JudgedRight[];
};

/**
 * The rights of a stored consent that a policy judges: those granted (a partial acceptance's
 * declined ones are not part of the consent), numbered as in the request.
 */
export function judgedRights(
  consent: Pick<ConsentRecord, 'consentRights' | 'partialAcceptance'>,
): JudgedRight[] {
  const declined = new Set(consent.partialAcceptance?.declined ?? []);
  return consent.consentRights
    .map((r, index) => ({ index, resource: r.resource[0]?.value, metadata: r.metadata ?? null }))
    .filter((r) => !declined.has(r.index));
}

export function policyProblems(
  request: PolicySubject,
  policies: ReadonlyMap<string, ResourcePolicyView>,
  now: Date,
): ConsentProblem[] {
  const problems = new Map<string, ConsentProblem>();
  const add = (p: ConsentProblem) => {
    const key = `${p.code}|${p.paths[0]}`;
    if (!problems.has(key)) problems.set(key, p);
  };

  for (const [resource, policy] of policies) {
    if (policy.maxValidity && request.validTo) {
      const limit = addDuration(now, policy.maxValidity);
      if (limit && request.validTo.getTime() > limit.getTime())
        add(
          problem(
            PolicyCodes.validityTooLong,
            '/validTo',
            `Resource '${resource}' allows consents of at most ${policy.maxValidity}: 'validTo' must be on or before ${limit.toISOString()}.`,
            'validTo is beyond the maximum validity the resource allows',
          ),
        );
    }
    const url = request.redirectUrl;
    if (url && policy.httpsRedirectOnly && !/^https:/i.test(url))
      add(
        problem(
          PolicyCodes.redirectNotHttps,
          '/redirectUrl',
          `Resource '${resource}' requires an https 'redirectUrl'.`,
          'redirectUrl must be https for this resource',
        ),
      );
    const allowed =
      policy.redirectAllowList && request.toOrg
        ? (policy.redirectAllowList[request.toOrg] ?? policy.redirectAllowList['*'])
        : undefined;
    if (url && allowed && !allowed.some((entry) => redirectMatches(url, entry)))
      add(
        problem(
          PolicyCodes.redirectNotAllowed,
          '/redirectUrl',
          `'redirectUrl' is not one of the redirect URLs resource '${resource}' allows for organisation ${request.toOrg}.`,
          'redirectUrl is not on the allow-list of the resource',
        ),
      );
  }

  for (const right of request.rights) {
    const policy = right.resource ? policies.get(right.resource) : undefined;
    if (!policy?.metadataValues || !right.metadata) continue;
    const rules = new Map(Object.entries(policy.metadataValues).map(([k, r]) => [k.toLowerCase(), r]));
    for (const [key, value] of Object.entries(right.metadata)) {
      const rule = rules.get(key.toLowerCase());
      if (!rule || value.trim() === '' || metadataValueAllowed(rule, value)) continue;
      add(
        problem(
          PolicyCodes.metadataValueNotAllowed,
          `/consentRights/${right.index}/metadata/${key}`,
          rule.enum
            ? `Resource '${right.resource}' allows these values of '${key}': ${rule.enum.join(', ')}.`
            : `Resource '${right.resource}' requires '${key}' to match the pattern ${rule.pattern}.`,
          'Metadata value not allowed by the resource',
        ),
      );
    }
  }
  return [...problems.values()];
}
