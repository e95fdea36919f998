/**
 * The gateway's timers and its part of shutdown, shared by the all-in-one service (GatewayModule)
 * and the data plane (src/data-plane/): the batched usage counts and daily call counts written
 * once a second, the one-time claim sweep, and at shutdown the drain of calls in flight followed
 * by the last writes. A provider rather than module hooks so both entries run exactly this.
 */
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { DailyCallCounter } from './daily-call-counter.js';
import { GatewayProxyService } from './gateway-proxy.service.js';
import { OneTimeClaimsRepository } from './one-time-claims.repository.js';
import { UsageRecorder } from './usage-recorder.js';

/**
 * How often the batched counts are written: the usage counters' flush and the daily call
 * counts' sync (which also reads the other replicas' totals: the overshoot bound of
 * DailyCallCounter). One timer for both: they run at the same pace, and one wake-up a second
 * is cheaper than two. Each write is independent: one failing does not hold up the other.
 */
const WRITE_COUNTS_MS = 1000;
const CLAIM_SWEEP_MS = 60_000;

@Injectable()
export class GatewayJobs implements OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('Gateway');
  private countsTimer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;

  constructor(
    private readonly proxy: GatewayProxyService,
    private readonly usage: UsageRecorder,
    private readonly claims: OneTimeClaimsRepository,
    private readonly dailyCalls: DailyCallCounter,
  ) {}

  /** Called by the entry's module once the gateway serves (its onModuleInit). */
  start(): void {
    // The daily counts' sync costs nothing while no consent with a `callsPerDay` is in use (no
    // tally: no statement); both log their own failures and keep their counts for the next run.
    this.countsTimer = setInterval(() => {
      void this.usage.flush();
      void this.dailyCalls.sync();
    }, WRITE_COUNTS_MS);
    this.countsTimer.unref();
    this.sweepTimer = setInterval(() => {
      this.claims.sweep().catch(() => undefined);
    }, CLAIM_SWEEP_MS);
    this.sweepTimer.unref();
  }

  /** Runs before Prisma disconnects: in-flight calls finish (GatewayProxyService), then counts are written. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.countsTimer);
    clearInterval(this.sweepTimer);
    await this.proxy.drain();
    await this.usage
      .flush()
      .catch((err: unknown) => this.logger.warn(`final usage flush failed: ${(err as Error).message}`));
    // The other replicas go on counting with this one's calls (sync logs its own failures); the
    // second run writes what was counted while a timer's run was already under way.
    await this.dailyCalls.sync();
    await this.dailyCalls.sync();
  }

  onApplicationShutdown(): void {
    // Counts recorded after the final flush (a call that outlived the grace period) are logged.
    if (this.usage.pendingKeys > 0)
      this.logger.warn(`${this.usage.pendingKeys} usage counters were not written at shutdown`);
  }
}
