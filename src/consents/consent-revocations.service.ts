/**
 * Revocation with a reason by the data owner or the platform operator (beyond Altinn; e.g.
 * fraud). Who may: the platform operator (`consentgw:admin`) any consent; a service owner the
 * consents that name one of its resources (by the resource version the consent was given under,
 * so a later deleted resource still counts). Anyone else gets 404, as for a consent that does not
 * exist: an owner learns nothing about consents on other owners' resources.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ResourcesService } from '../resources/resources.service.js';
import { ConsentEventsService } from './consent-events.service.js';
import { notFound } from './consent-problems.js';
import type { ConsentRecord } from './consent.record.js';
import { toDetailsDto } from './consent.mapper.js';
import { ConsentsService } from './consents.service.js';
import type { ConsentDetailsDto } from './dto/consent-request.dto.js';

@Injectable()
export class ConsentRevocationsService {
  constructor(
    private readonly consents: ConsentsService,
    private readonly events: ConsentEventsService,
    private readonly resources: ResourcesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async revoke(principal: Principal, id: string, reason: string): Promise<ConsentDetailsDto> {
    const record = await this.consents.findById(id);
    if (!record || !(await this.mayRevoke(principal, record))) throw notFound(id);
    const revoked = await this.consents.revokeWithReason(
      record.id,
      { org: principal.consumer, client: principal.clientId ?? null },
      reason.trim(),
    );
    const history = await this.events.forRequests([record.id]);
    return toDetailsDto(revoked, history.get(record.id) ?? [], this.config.publicUrl);
  }

  private async mayRevoke(principal: Principal, record: ConsentRecord): Promise<boolean> {
    if (principal.scopes.has(Scopes.admin)) return true;
    if (!principal.scopes.has(Scopes.resourceWrite)) return false;
    const owners = await Promise.all(
      Object.entries(record.resourceVersions).map(([identifier, versionId]) =>
        this.resources.getConsentResourceVersion(identifier, versionId),
      ),
    );
    return owners.some((view) => view?.ownerOrgNumber === principal.consumer);
  }
}
