/**
 * Every registered protected API, in memory, so the proxy never reads the database to route.
 *
 * Fresh within 1 s on every replica: the admin service reloads the changed API here before it
 * answers and publishes an `api` change; other replicas reload it when the change arrives
 * (in-process emitter, PostgreSQL NOTIFY across replicas). While the NOTIFY listener is down the
 * whole table is re-read every second instead, and every 30 s anyway as a backstop.
 * Reloads of one name are ordered by a per-name sequence number, so a slow read never
 * overwrites the result of a newer one.
 */
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ChangeBus } from '../common/events/change-bus.js';
import type { ProtectedApi } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { routeFingerprint, toApiRoute, type ApiRoute } from './api-route.js';
import { GatewayMetrics, type ApiMetrics } from './gateway-metrics.js';

const POLL_MS = 1000;
const FULL_RELOAD_MS = 30_000;

@Injectable()
export class ApiRouteTable implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ApiRouteTable.name);
  private readonly routes = new Map<string, ApiRoute>();
  private readonly seq = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private lastFullReload = 0;
  private reloadingAll: Promise<void> | null = null;
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly prisma: PrismaService,
    private readonly bus: ChangeBus,
    private readonly metrics: GatewayMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    this.bus.subscribe((e) => {
      if (e.topic !== 'api') return;
      if (e.id === '*') void this.reloadAll().catch(() => undefined);
      else
        void this.reload(e.id).catch((err: unknown) =>
          this.logger.warn(`reload of API ${e.id} failed: ${(err as Error).message}`),
        );
    });
    await this.reloadAll();
    this.timer = setInterval(() => {
      if (!this.bus.connected || Date.now() - this.lastFullReload >= FULL_RELOAD_MS)
        void this.reloadAll().catch((err: unknown) =>
          this.logger.warn(`API table reload failed: ${(err as Error).message}`),
        );
    }, POLL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  get(name: string): ApiRoute | undefined {
    return this.routes.get(name);
  }

  all(): ApiRoute[] {
    return [...this.routes.values()];
  }

  metricsFor(name: string): ApiMetrics {
    return this.metrics.api(name);
  }

  /** Told after every change of the table (the proxy drops pools of origins no longer used). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Re-reads one API from the database (after a local write, or on a change notification). */
  async reload(name: string): Promise<void> {
    const s = this.bump(name);
    const row = await this.prisma.protectedApi.findUnique({ where: { name } });
    if (this.seq.get(name) !== s) return; // a newer reload of this name is responsible
    this.apply(name, row);
    this.changed();
  }

  /** Re-reads every API. Concurrent calls share one read. */
  reloadAll(): Promise<void> {
    if (this.reloadingAll) return this.reloadingAll;
    const before = new Map(this.seq);
    this.reloadingAll = this.prisma.protectedApi
      .findMany()
      .then((rows) => {
        const byName = new Map(rows.map((r) => [r.name, r]));
        for (const name of new Set([...byName.keys(), ...this.routes.keys()])) {
          if (this.seq.get(name) !== before.get(name)) continue; // changed meanwhile: its own reload decides
          this.apply(name, byName.get(name) ?? null);
        }
        this.lastFullReload = Date.now();
        this.changed();
      })
      .finally(() => {
        this.reloadingAll = null;
      });
    return this.reloadingAll;
  }

  private bump(name: string): number {
    const s = (this.seq.get(name) ?? 0) + 1;
    this.seq.set(name, s);
    return s;
  }

  private apply(name: string, row: ProtectedApi | null): void {
    if (!row) {
      this.routes.delete(name);
      return;
    }
    const current = this.routes.get(name);
    // Unchanged rows keep their route object (and its rate-limit buckets and memo entries).
    if (current && current.fingerprint === routeFingerprint(row)) return;
    try {
      this.routes.set(name, toApiRoute(row));
    } catch (err) {
      this.routes.delete(name);
      this.logger.error(`protected API ${name} has an unusable configuration: ${(err as Error).message}`);
    }
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
