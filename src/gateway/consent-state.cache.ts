/**
 * What the gateway needs to know about stored consents and consent resources, from memory.
 *
 * Consent state is cached per id and dropped when the consent changes (`consent` topic: the
 * consent service NOTIFYs inside the transaction of every transition and emits in-process after
 * commit), so revocation, cancellation and one-time use take effect on the next request on every
 * replica. While the NOTIFY listener is down every lookup reads the database (see
 * InvalidatedCache). Expiry needs no notification: `validTo` is compared on every request.
 */
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ChangeBus } from '../common/events/change-bus.js';
import { parsePartyUrn, partyUrn } from '../common/identifiers/party-urn.js';
import type { ConsentRecord, ConsentStatus } from '../consents/consent.record.js';
import { ConsentsService } from '../consents/consents.service.js';
import { ResourcesService } from '../resources/resources.service.js';
import { normaliseRights } from './consent-detail.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { InvalidatedCache } from './invalidated-cache.js';

/** The parts of a stored consent the gateway compares a token with. */
export interface ConsentState {
  id: string;
  status: ConsentStatus;
  /** Canonical party URN, or null when the stored value does not parse (never matches). */
  fromUrn: string | null;
  toOrg: string;
  validToMs: number;
  consentedMs: number | null;
  /** Canonical rights (see consent-detail.ts), or null when unparsable (never matches). */
  rightsKey: string | null;
  isOneTime: boolean;
}

export interface ResourcePolicy {
  identifier: string;
  accessListEnabled: boolean;
}

const CONSENT_ENTRIES = 100_000;
const RESOURCE_ENTRIES = 10_000;
/** Backstop should a notification ever be lost; a miss costs one primary-key read. */
const TTL_MS = 60_000;

export function toConsentState(r: ConsentRecord): ConsentState {
  const from = parsePartyUrn(r.from);
  return {
    id: r.id.toLowerCase(),
    status: r.status,
    fromUrn: from ? partyUrn(from) : null,
    toOrg: r.toOrg,
    validToMs: r.validTo.getTime(),
    consentedMs: r.consented ? r.consented.getTime() : null,
    rightsKey: normaliseRights(r.consentRights)?.key ?? null,
    isOneTime: r.isOneTime,
  };
}

@Injectable()
export class GatewayStateCache implements OnModuleInit {
  readonly consents: InvalidatedCache<string, ConsentState | null>;
  readonly resources: InvalidatedCache<string, ResourcePolicy | null>;

  constructor(
    private readonly consentsService: ConsentsService,
    private readonly resourcesService: ResourcesService,
    private readonly bus: ChangeBus,
    metrics: GatewayMetrics,
  ) {
    const fresh = () => this.bus.connected;
    this.consents = new InvalidatedCache({
      name: 'consent',
      maxEntries: CONSENT_ENTRIES,
      ttlMs: TTL_MS,
      fresh,
      onLookup: metrics.countCacheLookup,
      load: async (id) => {
        const r = await this.consentsService.findById(id);
        return r ? toConsentState(r) : null;
      },
    });
    this.resources = new InvalidatedCache({
      name: 'resource',
      maxEntries: RESOURCE_ENTRIES,
      ttlMs: TTL_MS,
      fresh,
      onLookup: metrics.countCacheLookup,
      load: async (identifier) => {
        const r = await this.resourcesService.getConsentResource(identifier);
        return r ? { identifier: r.identifier, accessListEnabled: r.accessListMode === 'Enabled' } : null;
      },
    });
  }

  onModuleInit(): void {
    this.bus.subscribe((e) => {
      if (e.topic === 'consent') {
        if (e.id === '*') this.consents.clear();
        else this.consents.invalidate(e.id.toLowerCase());
      } else if (e.topic === 'resource') {
        if (e.id === '*') this.resources.clear();
        else this.resources.invalidate(e.id);
      }
    });
    // Whatever happened while deaf is unknown: start over either way.
    this.bus.onConnectionState(() => {
      this.consents.clear();
      this.resources.clear();
    });
  }
}
