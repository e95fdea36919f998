/**
 * The membership check behind `accessListMode: "Enabled"` (consent creation, gateway). Hot path:
 *
 * - The database answer is one EXISTS over primary-key/indexed lookups (connections by resource,
 *   then the member by `(list_id, org_number)`), so it costs the same for 10 or 100 000 members.
 * - Answers (positive and negative) are cached per (org, resource, action) in the service's one
 *   InvalidatedCache (common/cache), and the whole cache is dropped on any access-list or
 *   resource change (ChangeBus: this process at once, other replicas via NOTIFY). Changes are
 *   rare next to checks, so dropping everything is cheap and never wrong. The cache never stores
 *   an answer that raced a change, serves nothing while the cross-replica listener is down, and
 *   its TTL bounds staleness should a NOTIFY ever be lost.
 */
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InvalidatedCache } from '../common/cache/invalidated-cache.js';
import { ChangeBus, type ChangeEvent } from '../common/events/change-bus.js';
import { isValidOrgNumber } from '../common/identifiers/org-number.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { isAllowedInDatabase } from './access-lists.repository.js';

const MAX_ENTRIES = 100_000;
const TTL_MS = 60_000;

@Injectable()
export class AccessListCheckService implements OnModuleInit {
  private readonly cache: InvalidatedCache<string, boolean>;
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly prisma: PrismaService,
    private readonly bus: ChangeBus,
  ) {
    this.cache = new InvalidatedCache({
      name: 'access_list',
      maxEntries: MAX_ENTRIES,
      ttlMs: TTL_MS,
      fresh: () => this.bus.connected,
      load: (k) => {
        // Org numbers are digits and identifiers a fixed alphabet: the first two separators split.
        const a = k.indexOf('\u0000');
        const b = k.indexOf('\u0000', a + 1);
        return this.isAllowedUncached(k.slice(0, a), k.slice(a + 1, b), k.slice(b + 1));
      },
    });
  }

  onModuleInit(): void {
    this.bus.subscribe((e: ChangeEvent) => {
      if (e.topic === 'access-list' || e.topic === 'resource') this.invalidate();
    });
    this.bus.onConnectionState(() => this.invalidate());
  }

  /** Drops every cached answer (also used by tests and the bench). */
  invalidate(): void {
    this.cache.clear();
  }

  get stats(): { hits: number; misses: number; size: number } {
    return { hits: this.hits, misses: this.misses, size: this.cache.size };
  }

  /** The cached answer, or undefined when the database must be asked. */
  isAllowedCached(orgNumber: string, resourceIdentifier: string, action: string): boolean | undefined {
    return this.cache.peek(key(orgNumber, resourceIdentifier, action));
  }

  async isAllowed(orgNumber: string, resourceIdentifier: string, action: string): Promise<boolean> {
    const k = key(orgNumber, resourceIdentifier, action);
    const cached = this.cache.peek(k);
    if (cached !== undefined) {
      this.hits++;
      return cached;
    }
    this.misses++;
    return this.cache.load(k);
  }

  /** Always asks the database (the indexed path the bench measures). */
  async isAllowedUncached(orgNumber: string, resourceIdentifier: string, action: string): Promise<boolean> {
    if (!isValidOrgNumber(orgNumber) || !resourceIdentifier || !action) return false;
    return isAllowedInDatabase(this.prisma, orgNumber, resourceIdentifier, action);
  }
}

function key(orgNumber: string, resourceIdentifier: string, action: string): string {
  return `${orgNumber}\u0000${resourceIdentifier}\u0000${action}`;
}
