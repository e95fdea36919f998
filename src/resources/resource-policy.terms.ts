/**
 * A consent's terms against a resource's policy after the consent was given (the gateway's 403
 * GW-00018, and the owner's preview of a policy): `validTo` no later than the acceptance plus
 * `maxValidity`, and every metadata value of its rights on the resource one that
 * `metadataValues` allows. The same rules as at creation (CP-00001, CP-00004), except that
 * `maxValidity` counts from the acceptance (at creation: from the request), so a consent created
 * under a policy always obeys it. Pure, with no clock.
 */
import {
  addDuration,
  metadataValueAllowed,
  type MetadataValueRule,
  type ResourcePolicyView,
} from './resource-policy.view.js';

const RESOURCE_TYPE = 'urn:altinn:resource';

/** What the rules read of a consent (the gateway's parsed token and a stored consent both have it). */
export interface ConsentTerms {
  consentedMs: number;
  validToMs: number;
  rights: ReadonlyArray<{
    resource: ReadonlyArray<{ type: string; value: string }>;
    metadata?: Readonly<Record<string, string>> | null;
  }>;
}

/** Metadata rules by lowercase key (keys compare case-insensitively, as at creation), per policy object. */
const rulesByKey = new WeakMap<object, Map<string, MetadataValueRule>>();

function lowercaseRules(policy: Readonly<ResourcePolicyView>): Map<string, MetadataValueRule> {
  let rules = rulesByKey.get(policy);
  if (!rules) {
    rules = new Map(Object.entries(policy.metadataValues ?? {}).map(([k, r]) => [k.toLowerCase(), r]));
    rulesByKey.set(policy, rules);
  }
  return rules;
}

/** Null when the consent's terms on `resource` obey `policy`, else why not (for the consumer). */
export function consentTermsProblem(
  terms: ConsentTerms,
  resource: string,
  policy: Readonly<ResourcePolicyView>,
): string | null {
  if (policy.maxValidity) {
    const limit = addDuration(new Date(terms.consentedMs), policy.maxValidity);
    if (limit && terms.validToMs > limit.getTime())
      return `Resource '${resource}' now allows consents of at most ${policy.maxValidity} from their acceptance; this consent is valid until ${new Date(terms.validToMs).toISOString()}. Ask the person for a new consent.`;
  }
  if (policy.metadataValues) {
    const rules = lowercaseRules(policy);
    for (const right of terms.rights) {
      if (!right.metadata || !right.resource.some((r) => r.type === RESOURCE_TYPE && r.value === resource))
        continue;
      for (const [key, value] of Object.entries(right.metadata)) {
        const rule = rules.get(key.toLowerCase());
        if (rule && value.trim() !== '' && !metadataValueAllowed(rule, value))
          return `Resource '${resource}' no longer allows this consent's value of metadata '${key}'. Ask the person for a new consent.`;
      }
    }
  }
  return null;
}
