/**
 * The `urn:altinn:consent` authorization detail of a gateway token (DESIGN §4.5, §4.9, §10).
 *
 * Parsed once per verified token (the result is cached beside the cached principal) into a
 * normalised form whose `rightsKey` can be compared with the stored consent in one string
 * comparison. Shape errors are split as DESIGN §10 decides: a malformed `authorization_details`
 * list (not an array, a member without a string `type`, zero or several consent details) is
 * 403 GW-00005; a malformed field inside the one consent detail is 401 GW-00009.
 */
import { parseOrgClaim } from '../common/auth/claims-policy.js';
import { ClockCache } from '../common/cache/clock-cache.js';
import type { DomainError } from '../common/errors/domain-error.js';
import { orgUrn, parsePartyUrn, partyUrn, type Party } from '../common/identifiers/party-urn.js';
import { consentDetails, consentInactive } from './gateway-errors.js';

export const CONSENT_DETAIL_TYPE = 'urn:altinn:consent';
export const RESOURCE_TYPE = 'urn:altinn:resource';

export interface ConsentRight {
  readonly action: readonly string[];
  readonly resource: ReadonlyArray<{ readonly type: string; readonly value: string }>;
  /** Null when the right has no metadata (absent, null and `{}` are the same thing). */
  readonly metadata: Readonly<Record<string, string>> | null;
  /** `X-Consent-Metadata` value: the metadata as JSON, ASCII-only so it is a safe header value. */
  readonly metadataHeader: string;
}

export interface ConsentDetail {
  /** Lowercase consent id. */
  readonly id: string;
  readonly from: Party;
  /** `from` as a party URN (canonical form). */
  readonly fromUrn: string;
  /** Org number from `to.ID`. */
  readonly toOrg: string;
  /** `to` as an organisation URN (the `X-Consent-To` value). */
  readonly toUrn: string;
  readonly consentedMs: number;
  readonly validToMs: number;
  readonly rights: readonly ConsentRight[];
  /** Canonical JSON of the rights, for an exact comparison with the stored consent. */
  readonly rightsKey: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const MAX_RIGHTS = 100;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Milliseconds since the epoch of a strict RFC 3339 time, or null. */
export function parseTime(v: unknown): number | null {
  if (typeof v !== 'string' || !ISO_TIME.test(v)) return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : null;
}

function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function sortedMetadata(v: unknown): Record<string, string> | null | undefined {
  if (v === undefined || v === null) return null;
  if (!isRecord(v)) return undefined;
  const keys = Object.keys(v).sort();
  if (keys.length === 0) return null;
  const out: Record<string, string> = {};
  for (const k of keys) {
    const val = v[k];
    if (typeof val !== 'string') return undefined;
    out[k] = val;
  }
  return out;
}

/**
 * Normalises `consentRights` (from a token or from the consent service). Null when malformed.
 * Order of rights, actions and resources is kept: the issuer copies them from the stored consent.
 */
export function normaliseRights(v: unknown): { rights: ConsentRight[]; key: string } | null {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_RIGHTS) return null;
  const rights: ConsentRight[] = [];
  for (const r of v) {
    if (!isRecord(r)) return null;
    const { action, resource } = r;
    if (
      !Array.isArray(action) ||
      action.length === 0 ||
      !action.every((a) => typeof a === 'string' && a.length > 0)
    )
      return null;
    if (!Array.isArray(resource) || resource.length === 0) return null;
    const res: Array<{ type: string; value: string }> = [];
    for (const x of resource) {
      if (!isRecord(x) || typeof x.type !== 'string' || typeof x.value !== 'string' || x.value === '')
        return null;
      res.push({ type: x.type, value: x.value });
    }
    const metadata = sortedMetadata(r.metadata);
    if (metadata === undefined) return null;
    rights.push({
      action: [...(action as string[])],
      resource: res,
      metadata,
      metadataHeader: asciiJson(metadata ?? {}),
    });
  }
  const key = JSON.stringify(
    rights.map((r) => [r.action, r.resource.map((x) => [x.type, x.value]), r.metadata]),
  );
  return { rights, key };
}

export type NormalisedRights = NonNullable<ReturnType<typeof normaliseRights>>;

function sameMetadata(v: unknown, m: Readonly<Record<string, string>> | null): boolean {
  if (v === undefined || v === null) return m === null;
  if (!isRecord(v)) return false;
  let n = 0;
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    n++;
    if (m === null || !Object.hasOwn(m, k) || m[k] !== v[k]) return false;
  }
  // Every key of `v` is in `m`; equal counts mean the reverse holds too.
  if (m !== null) for (const k in m) if (Object.hasOwn(m, k)) n--;
  return n === 0;
}

/** True when `v` normalises to exactly `rights` (compared in place: nothing is allocated). */
function sameRights(v: unknown, rights: readonly ConsentRight[]): boolean {
  if (!Array.isArray(v) || v.length !== rights.length) return false;
  for (let i = 0; i < v.length; i++) {
    const r: unknown = v[i];
    const n = rights[i];
    if (!isRecord(r)) return false;
    const { action, resource } = r;
    if (!Array.isArray(action) || action.length !== n.action.length) return false;
    for (let j = 0; j < action.length; j++) if (action[j] !== n.action[j]) return false;
    if (!Array.isArray(resource) || resource.length !== n.resource.length) return false;
    for (let j = 0; j < resource.length; j++) {
      const x: unknown = resource[j];
      if (!isRecord(x) || x.type !== n.resource[j].type || x.value !== n.resource[j].value) return false;
    }
    if (!sameMetadata(r.metadata, n.metadata)) return false;
  }
  return true;
}

interface RememberedDetail {
  /** The raw values the detail was parsed from (compared with a later token's, as they are). */
  from: unknown;
  toAuthority: unknown;
  toId: unknown;
  consented: unknown;
  validTo: unknown;
  detail: ConsentDetail;
}

/**
 * Parsed consent details remembered per consent id, for the gateway's new tokens. Every token for
 * one consent carries the same detail (the issuer copies it from the stored consent), so after
 * the first one an in-place comparison of the raw values replaces parsing and normalisation, and
 * their allocations (with a fresh token per request they were a large share of the gateway's
 * garbage). A detail that differs in any way is parsed afresh, so the result is always exactly
 * what parsing without a memo gives.
 */
export class ConsentDetailMemo {
  private readonly rights: ClockCache<string, NormalisedRights>;
  private readonly details: ClockCache<string, RememberedDetail>;

  constructor(maxConsents = 4096) {
    this.rights = new ClockCache(maxConsents);
    this.details = new ClockCache(maxConsents);
  }

  /** `normaliseRights(v)`, or the equal result remembered for this consent. */
  normalise(consentId: string, v: unknown): NormalisedRights | null {
    const known = this.rights.get(consentId);
    if (known && sameRights(v, known.rights)) return known;
    const fresh = normaliseRights(v);
    if (fresh) this.rights.set(consentId, fresh);
    return fresh;
  }

  /** The detail parsed before from exactly these raw values, if any. */
  recall(d: Record<string, unknown>): ConsentDetail | undefined {
    if (typeof d.id !== 'string') return undefined;
    const m = this.details.get(d.id);
    if (
      m === undefined ||
      d.from !== m.from ||
      d.consented !== m.consented ||
      d.validTo !== m.validTo ||
      !isRecord(d.to) ||
      d.to.authority !== m.toAuthority ||
      d.to.ID !== m.toId ||
      !sameRights(d.consentRights, m.detail.rights)
    )
      return undefined;
    return m.detail;
  }

  remember(d: Record<string, unknown>, detail: ConsentDetail): void {
    const to = d.to as Record<string, unknown>;
    this.details.set(d.id as string, {
      from: d.from,
      toAuthority: to.authority,
      toId: to.ID,
      consented: d.consented,
      validTo: d.validTo,
      detail,
    });
  }
}

/**
 * Finds the one consent detail and parses it. Throws 403 GW-00005 when the list is malformed or
 * does not hold exactly one consent detail, 401 GW-00009 when that detail is malformed.
 */
export function parseConsentDetail(authorizationDetails: unknown, memo?: ConsentDetailMemo): ConsentDetail {
  if (authorizationDetails === undefined)
    throw consentDetails('The access token carries no urn:altinn:consent authorization detail.');
  if (!Array.isArray(authorizationDetails)) throw consentDetails('authorization_details must be an array.');
  let found: Record<string, unknown> | undefined;
  let count = 0;
  for (const d of authorizationDetails) {
    if (!isRecord(d) || typeof d.type !== 'string')
      throw consentDetails('Every authorization detail must be an object with a string type.');
    if (d.type === CONSENT_DETAIL_TYPE) {
      count++;
      found = d;
    }
  }
  if (count !== 1 || !found)
    throw consentDetails(
      `The access token must carry exactly one ${CONSENT_DETAIL_TYPE} authorization detail (found ${count}).`,
    );
  return parseOneDetail(found, memo);
}

function malformed(field: string): DomainError {
  return consentInactive(`The consent authorization detail has a missing or malformed "${field}".`);
}

function parseOneDetail(d: Record<string, unknown>, memo: ConsentDetailMemo | undefined): ConsentDetail {
  const known = memo?.recall(d);
  if (known) return known;
  if (typeof d.id !== 'string' || !UUID.test(d.id)) throw malformed('id');
  const from = parsePartyUrn(d.from);
  if (!from) throw malformed('from');
  const toOrg = parseOrgClaim(d.to);
  if (toOrg === null) throw malformed('to');
  const consentedMs = parseTime(d.consented);
  if (consentedMs === null) throw malformed('consented');
  const validToMs = parseTime(d.validTo);
  if (validToMs === null) throw malformed('validTo');
  const id = d.id.toLowerCase();
  const rights = memo ? memo.normalise(id, d.consentRights) : normaliseRights(d.consentRights);
  if (!rights) throw malformed('consentRights');
  const detail: ConsentDetail = {
    id,
    from,
    fromUrn: partyUrn(from),
    toOrg,
    toUrn: orgUrn(toOrg),
    consentedMs,
    validToMs,
    rights: rights.rights,
    rightsKey: rights.key,
  };
  memo?.remember(d, detail);
  return detail;
}

export interface RightMatch {
  right: ConsentRight;
  /** The consent resource (of this API) the right names. */
  resource: string;
}

/**
 * The right the gateway acts on: any right that gives `action` on one of `resources` covers the
 * call, and when several do (one resource asked for twice with different metadata, e.g.
 * `inntektsaar` 2023 and 2024) the first of them in the consent's own order wins, so
 * `X-Consent-Metadata` is that right's metadata. The consent's order is the order the person read
 * and accepted, and the same for every token of the consent, so the upstream sees a stable value.
 */
export function findMatchingRight(
  detail: ConsentDetail,
  resources: ReadonlySet<string>,
  action: string,
): RightMatch | null {
  for (const right of detail.rights) {
    if (!right.action.includes(action)) continue;
    for (const r of right.resource)
      if (r.type === RESOURCE_TYPE && resources.has(r.value)) return { right, resource: r.value };
  }
  return null;
}
