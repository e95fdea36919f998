/**
 * The owner's rules for one consent resource (beyond Altinn, docs/consent-lifecycle.md), as
 * stored and as other contexts get them from ResourcePoliciesService. Every rule is optional;
 * a resource without a policy behaves exactly as in Altinn.
 */
import type { RE2JS } from 're2js';
import { compileRe2 } from './re2-pattern.js';

export interface MetadataValueRule {
  /** The value must be one of these (exact, case-sensitive). */
  enum?: string[];
  /** The whole value must match this RE2 pattern (linear-time; no backreferences or lookaround). */
  pattern?: string;
}

export interface ResourcePolicyView {
  /** ISO 8601 duration (`P3Y`, `P90D`, `P1Y6M`): `validTo` may be at most this far from creation. */
  maxValidity: string | null;
  /** `redirectUrl` must be an `https` URL (no `http`, no app schemes). */
  httpsRedirectOnly: boolean;
  /**
   * Consumer org number (or `*` for every other consumer) → the redirect URLs it may use. An entry
   * ending in `/` allows every path below it on the same origin; any other entry is exact.
   */
  redirectAllowList: Record<string, string[]> | null;
  /**
   * Calls per consent per UTC day the gateway forwards (429 GW-00017 beyond). Counts from the
   * moment it is set, for every consent: it limits use, not a consent's terms.
   */
  callsPerDay: number | null;
  /** Metadata key (as the resource declares it) → the values a consumer may ask for. */
  metadataValues: Record<string, MetadataValueRule> | null;
  /**
   * Days before `validTo` its consents get their `expiring` reminder, when more than the
   * platform's EXPIRY_REMINDER_DAYS (a policy can ask for reminders, not switch them off).
   */
  expiryReminderDays: number | null;
  /**
   * Whether the gateway holds consents created before the policy's last change to its current
   * `maxValidity` and `metadataValues` too (403 GW-00018). False: they keep the terms they were
   * given under (the default, so tightening a rule never cuts off working consumers by surprise).
   */
  applyToExistingConsents: boolean;
}

/** A stored policy and when it last changed (the gateway compares a consent's age with it). */
export interface StoredPolicyView extends ResourcePolicyView {
  updatedAtMs: number;
}

export interface ResourcePolicyRecord extends ResourcePolicyView {
  resource: string;
  updatedAt: string;
  updatedBy: string | null;
}

/** The policy that changes nothing (what a resource without a stored policy has). */
export const NO_POLICY: ResourcePolicyView = {
  maxValidity: null,
  httpsRedirectOnly: false,
  redirectAllowList: null,
  callsPerDay: null,
  metadataValues: null,
  expiryReminderDays: null,
  applyToExistingConsents: false,
};

const DURATION = /^P(?!$)(?:(\d{1,4})Y)?(?:(\d{1,5})M)?(?:(\d{1,5})W)?(?:(\d{1,6})D)?$/;

/** The parts of a date-only ISO 8601 duration, or null when it is not one (or is zero). */
export function parseDuration(
  s: string,
): { years: number; months: number; weeks: number; days: number } | null {
  const m = DURATION.exec(s);
  if (!m) return null;
  const [years, months, weeks, days] = m.slice(1).map((x) => Number(x ?? 0));
  if (years + months + weeks + days === 0) return null;
  return { years, months, weeks, days };
}

/**
 * `from` plus the duration, in UTC calendar arithmetic (P1M from 31 January is 3 March, as
 * JavaScript's Date rolls over; the documented rule is "calendar months, UTC").
 */
export function addDuration(from: Date, duration: string): Date | null {
  const d = parseDuration(duration);
  if (!d) return null;
  const out = new Date(from.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + d.years, out.getUTCMonth() + d.months);
  out.setUTCDate(out.getUTCDate() + d.weeks * 7 + d.days);
  return out;
}

/** True when `url` is allowed by one allow-list entry (same origin; a `/`-ended entry is a prefix). */
export function redirectMatches(url: string, entry: string): boolean {
  let u: URL;
  let e: URL;
  try {
    u = new URL(url);
    e = new URL(entry);
  } catch {
    return false;
  }
  if (u.protocol !== e.protocol || u.host !== e.host || u.username || u.password) return false;
  if (entry === url) return true;
  if (!e.pathname.endsWith('/') || e.search || e.hash) return u.href === e.href;
  return u.pathname.startsWith(e.pathname);
}

/** Compiled patterns, bounded: policies are few, and compiling on every request is waste. */
const compiled = new Map<string, RE2JS>();

/** Whether `value` obeys `rule`: one of the enum values, or a whole match of the pattern. */
export function metadataValueAllowed(rule: MetadataValueRule, value: string): boolean {
  if (rule.enum) return rule.enum.includes(value);
  if (rule.pattern === undefined) return true;
  let re = compiled.get(rule.pattern);
  if (!re) {
    if (compiled.size >= 1000) compiled.clear();
    re = compileRe2(rule.pattern);
    compiled.set(rule.pattern, re);
  }
  return re.matches(value);
}

/*
 * A consent's terms against a resource's policy after the consent was given (the gateway's 403
 * GW-00018, and the owner's preview of a policy): `validTo` no later than the acceptance plus
 * `maxValidity`, and every metadata value of its rights on the resource one that
 * `metadataValues` allows. The same rules as at creation (CP-00001, CP-00004), except that
 * `maxValidity` counts from the acceptance (at creation: from the request), so a consent created
 * under a policy always obeys it. Pure, with no clock. (Here, with the view, because the gateway
 * and the consents context both apply them.)
 */

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
