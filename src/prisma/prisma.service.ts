import { Inject, Injectable, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { DatabaseCircuit } from './database-circuit.js';
import { DATABASE_CONNECTION, type DatabaseConnection } from './database-connection.js';
import { guardedPool } from './guarded-pg.js';

/**
 * The one Prisma client of the process, on the pg driver adapter (same path for PGlite and
 * PostgreSQL). Its pool's new connections go through the app's DatabaseCircuit.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnModuleDestroy {
  constructor(
    @Inject(DATABASE_CONNECTION) readonly connection: DatabaseConnection,
    @Optional() circuit: DatabaseCircuit = new DatabaseCircuit(),
  ) {
    const pool = guardedPool(circuit, {
      connectionString: connection.url,
      max: connection.poolMax,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
    });
    super({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  }

  async onModuleInit(): Promise<void> {
    await this.$connect();
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}

/**
 * Options of an interactive transaction that may meet a busy pool: it waits (up to 10 s) for a
 * connection instead of failing fast, and may run up to 20 s. Every context uses these unless a
 * transaction has a reason of its own.
 */
export const TX_OPTIONS = { maxWait: 10_000, timeout: 20_000 } as const;

/** The transaction client type handed to `$transaction(async (tx) => …)`. */
export type PrismaTx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];
