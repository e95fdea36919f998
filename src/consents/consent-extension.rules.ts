/**
 * The rules a consumer's extension request must follow (beyond Altinn): its body, and the new
 * terms against the consent's resources as they are now — the same rules a new consent request
 * for them would have to follow, so an extension cannot get round a policy or an access list.
 */
import { Injectable } from '@nestjs/common';
import { AccessListsService } from '../access-lists/access-lists.service.js';
import { ResourcePoliciesService } from '../resources/resource-policies.service.js';
import { ResourcesService } from '../resources/resources.service.js';
import { judgedRights, policyProblems } from './consent-policy.check.js';
import {
  ConsentCodes,
  INVALID_VALUE,
  notAuthorized,
  problem,
  REQUIRED,
  UNKNOWN_FIELD,
  validationError,
  type ConsentProblem,
} from './consent-problems.js';
import { REQUEST_CONSENT_ACTION } from './consent-requests.service.js';
import type { ConsentRecord } from './consent.record.js';
import { parseIsoDateTime } from './iso-datetime.js';

@Injectable()
export class ConsentExtensionRules {
  constructor(
    private readonly resources: ResourcesService,
    private readonly policies: ResourcePoliciesService,
    private readonly accessLists: AccessListsService,
  ) {}

  /**
   * The new terms against the resources as they are now: each still a consent resource
   * (AM-00005), its policy's maximum validity counted from now (CP-00001) and allowed metadata
   * values (CP-00004), and the consumer still on its access list (403 AM-00000).
   */
  async checkResources(consent: ConsentRecord, validTo: Date, now: Date): Promise<void> {
    const identifiers = [...new Set(consent.resources)];
    const views = await Promise.all(identifiers.map((i) => this.resources.getConsentResource(i)));
    const problems: ConsentProblem[] = [];
    identifiers.forEach((identifier, n) => {
      if (!views[n])
        problems.push(
          problem(
            ConsentCodes.invalidResource,
            '/validTo',
            `Resource '${identifier}' no longer exists or is no longer a consent resource; ask for a new consent instead.`,
          ),
        );
    });
    const policies = await this.policies.policiesOf(identifiers);
    problems.push(
      ...policyProblems({ toOrg: consent.toOrg, validTo, rights: judgedRights(consent) }, policies, now),
    );
    if (problems.length) throw validationError(problems);
    for (const view of views) {
      if (!view || view.accessListMode !== 'Enabled') continue;
      if (!(await this.accessLists.isAllowed(consent.toOrg, view.identifier, REQUEST_CONSENT_ACTION)))
        throw notAuthorized(
          `Organisation ${consent.toOrg} may no longer request consent for resource '${view.identifier}': it is not on an access list of the resource that allows '${REQUEST_CONSENT_ACTION}'.`,
        );
    }
  }
}

/** The body `{validTo}`: 400 naming the field when it is missing, malformed or not alone. */
export function parseExtensionBody(body: unknown): Date {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw validationError([problem(INVALID_VALUE, '', 'The request body must be a JSON object.')]);
  const problems: ConsentProblem[] = [];
  for (const key of Object.keys(body))
    if (key !== 'validTo')
      problems.push(problem(UNKNOWN_FIELD, `/${key}`, `'${key}' is not a field of an extension request.`));
  const raw = (body as { validTo?: unknown }).validTo;
  const validTo = raw === undefined || raw === null || raw === '' ? null : parseIsoDateTime(raw);
  if (raw === undefined || raw === null || raw === '')
    problems.push(problem(REQUIRED, '/validTo', "'validTo' is required."));
  else if (!validTo)
    problems.push(problem(INVALID_VALUE, '/validTo', "'validTo' must be an ISO 8601 date-time."));
  if (problems.length) throw validationError(problems);
  return validTo!;
}
