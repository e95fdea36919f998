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
import { ConsentsService } from '../consents/consents.service.js';
import { ConsentVersionsService } from '../consents/consent-versions.service.js';
import { ResourcesService } from '../resources/resources.service.js';
import type { ResourcePolicies } from './checks/access-list.check.js';
import { toConsentState, type ConsentState } from './consent-state.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { InvalidatedCache } from '../common/cache/invalidated-cache.js';

const CONSENT_ENTRIES = 100_000;
/** Backstop should a notification ever be lost; a miss costs one primary-key read. */
const TTL_MS = 60_000;

@Injectable()
export class GatewayStateCache implements OnModuleInit {
  readonly consents: InvalidatedCache<string, ConsentState | null>;
  /**
   * Resource policies come from the resources context's own cache (invalidated there on the
   * same `resource` topic): one cache of resources per process, counted here as `resource`.
   */
  readonly resources: ResourcePolicies;

  constructor(
    private readonly consentsService: ConsentsService,
    private readonly versions: ConsentVersionsService,
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
      load: (id) => this.readFresh(id),
    });
    this.resources = {
      peek: (identifier) => {
        const policy = this.resourcesService.peekConsentResource(identifier);
        metrics.countCacheLookup('resource', policy !== undefined);
        return policy;
      },
      load: (identifier) => this.resourcesService.getConsentResource(identifier),
    };
  }

  /** The consent's state from the database, past the cache. */
  async readFresh(id: string): Promise<ConsentState | null> {
    const r = await this.consentsService.findById(id);
    // A second read only for an extended consent (its versions' terms).
    return r ? toConsentState(r, await this.versions.versionTerms(r)) : null;
  }

  onModuleInit(): void {
    this.bus.subscribe((e) => {
      if (e.topic === 'consent') {
        if (e.id === '*') this.consents.clear();
        else this.consents.invalidate(e.id.toLowerCase());
      }
    });
    // Whatever happened while deaf is unknown: start over either way.
    this.bus.onConnectionState(() => this.consents.clear());
  }
}
