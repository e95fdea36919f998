import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';

/** How often each replica deletes remembered assertion ids whose assertions have expired. */
const PURGE_INTERVAL_MS = 60_000;
/** Kept a little past `exp` so a replica with a slightly slow clock still sees them. */
const PURGE_MARGIN_MS = 60_000;

/**
 * "A `jti` is never accepted twice" (RFC 7523 §3), across replicas: the database decides. The
 * insert is `INSERT … ON CONFLICT DO NOTHING` on the primary key (client_id, jti), so of two
 * concurrent requests with one assertion, on any replicas, exactly one inserts the row and wins.
 * Rows are needed only while the assertion could still pass the `exp` check.
 */
@Injectable()
export class AssertionReplayStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AssertionReplayStore.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly prisma: PrismaService) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.purgeExpired(), PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** True the first time (client, jti) is seen; false for a replay. */
  async remember(clientId: string, jti: string, expiresAt: Date): Promise<boolean> {
    const { count } = await this.prisma.usedAssertion.createMany({
      data: [{ clientId, jti, expiresAt }],
      skipDuplicates: true,
    });
    return count === 1;
  }

  /** Deletes rows of expired assertions; returns how many. Safe to run on every replica. */
  async purgeExpired(now = Date.now()): Promise<number> {
    try {
      const { count } = await this.prisma.usedAssertion.deleteMany({
        where: { expiresAt: { lt: new Date(now - PURGE_MARGIN_MS) } },
      });
      return count;
    } catch (err) {
      // Database briefly unavailable: the next round catches up; rows only cost space meanwhile.
      this.logger.warn({ err }, 'purging used assertion ids failed');
      return 0;
    }
  }
}
