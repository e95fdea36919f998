import { Inject, Injectable, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { DatabaseCircuit } from './database-circuit.js';
import { DATABASE_CONNECTION, type DatabaseConnection } from './database-connection.js';
import { guardedPool } from './guarded-pg.js';
import type pg from 'pg';

/**
 * How long a statement of the service waits for a lock before it gives up (SQLSTATE 55P03 →
 * 503 + Retry-After, common/errors/prisma-error-map.ts). Without it a write queued behind a
 * long-held row lock waited until the transaction's 20 s timeout, and 25 such writes held every
 * connection of the pool, so unrelated reads, readiness and the gateway answered 503 too
 * (red team RT4-6/N2). 5 s is far above any lock our own writes hold (a 100-member write is
 * tens of ms). Set only where the database, role or user did not set one (a DBA's value wins).
 */
export const DEFAULT_LOCK_TIMEOUT_MS = 5000;
const SET_DEFAULT_LOCK_TIMEOUT =
  `SELECT set_config('lock_timeout', '${DEFAULT_LOCK_TIMEOUT_MS}ms', false) ` +
  `WHERE current_setting('lock_timeout') = '0'`;

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
      // pg-pool awaits this before the connection's first use (see sql-pool.ts).
      // eslint-disable-next-line @typescript-eslint/no-misused-promises
      onConnect: async (client: pg.ClientBase) => {
        await client.query(SET_DEFAULT_LOCK_TIMEOUT);
      },
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
