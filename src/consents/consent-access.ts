/**
 * Who may see which consent requests on the consumer API (DESIGN §4.6): the consumer (`to`) and
 * `handledBy` — the caller's own org, or the supplier named in its token.
 */
import type { Principal } from '../common/auth/principal.js';
import { orgUrn } from '../common/identifiers/party-urn.js';
import type { FeedAudience } from './consent-events.repository.js';
import type { ConsentRecord } from './consent.record.js';

export const CONSENT_REQUESTS_PATH = '/accessmanagement/api/v1/enterprise/consentrequests';

/** Events of requests `to` the caller, or handled by the caller (or by its supplier). */
export function audienceOf(p: Principal): FeedAudience {
  const handledBy = [p.consumer];
  if (p.supplier && p.supplier !== p.consumer) handledBy.push(p.supplier);
  return { toOrgs: [p.consumer], handledByOrgs: handledBy };
}

export function canSee(p: Principal, r: ConsentRecord): boolean {
  const a = audienceOf(p);
  return (
    a.toOrgs.includes(r.toOrg) ||
    (r.handledBy !== null && a.handledByOrgs.some((o) => orgUrn(o) === r.handledBy))
  );
}
