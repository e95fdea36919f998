/**
 * Who may see and answer a consent request in the portal (DESIGN §4.8, §10 "Portal visibility").
 *
 * - `from` is a person → only that person;
 * - `from` is an organisation → a person holding, for that organisation, one of the
 *   `consentRoles` of every resource in the request (default DAGL, LEDE; DESIGN §4.1, §4.2);
 * - `requiredDelegator` set → additionally only that person may *decide* (accept or reject). It
 *   narrows the rule above and never widens it: a consumer cannot name a third person to answer
 *   for someone else.
 *
 * Revoking and reading a receipt follow the party rule without `requiredDelegator`: anyone who
 * may act for the party may withdraw a consent given on its behalf.
 */
import { Injectable } from '@nestjs/common';
import { parsePartyUrn, personUrn } from '../common/identifiers/party-urn.js';
import type { ConsentRecord } from '../consents/consent.record.js';
import { OwnersService } from '../owners/owners.service.js';
import type { ConsentResourceView } from '../resources/consent-resource.view.js';

export const DEFAULT_CONSENT_ROLES: readonly string[] = Object.freeze(['DAGL', 'LEDE']);

export type PortalAction = 'decide' | 'act-for-party';

/** The organisations a person acts for, with the roles held (one lookup per page). */
export type RoleMap = Map<string, ReadonlySet<string>>;

@Injectable()
export class PortalAccessService {
  constructor(private readonly owners: OwnersService) {}

  async rolesOf(personId: string): Promise<RoleMap> {
    const rows = await this.owners.rolesOf(personId);
    return new Map(rows.map((r) => [r.orgNumber, new Set(r.roles)]));
  }

  /**
   * True when `personId` may perform `action` on the consent. `resources` are the resource
   * versions the request was created under (their `consentRoles` decide for organisations).
   */
  allowed(
    action: PortalAction,
    personId: string,
    consent: ConsentRecord,
    resources: ConsentResourceView[],
    roles: RoleMap,
  ): boolean {
    if (action === 'decide' && consent.requiredDelegator && consent.requiredDelegator !== personUrn(personId))
      return false;
    const party = parsePartyUrn(consent.from);
    if (!party) return false;
    if (party.type === 'person') return party.id === personId;
    const held = roles.get(party.id);
    if (!held || resources.length === 0) return false;
    return resources.every((r) => {
      const needed = r.consentRoles?.length ? r.consentRoles : DEFAULT_CONSENT_ROLES;
      return needed.some((role) => held.has(role));
    });
  }
}
