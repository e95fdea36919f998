/**
 * The app's ONE private pg pool, beside Prisma's (docs/architecture.md, "Database access"). Prisma
 * does the CRUD; this pool is for the few statements a measurement put here, from a context's
 * `*.repository.ts`:
 *
 * - consent creation: measured on the bench, Prisma's raw-query path cost ~0.3–0.5 ms of service
 *   CPU per create (more than the SQL itself), and a named prepared statement spares PostgreSQL
 *   the parse and plan of the four-part statement;
 * - the feed sequencer: the advisory lock and the numbering must be two statements (each with
 *   its own snapshot) in one transaction, and one simple-protocol message sends both in one round
 *   trip, which Prisma cannot.
 *
 * Only on PostgreSQL: embedded PGlite serves one connection (see DatabaseConnection), so there
 * `available` is false and callers use Prisma with the same SQL. New connections go through the
 * app's DatabaseCircuit, so a database outage costs no connection attempt per call. The pool
 * ends in `onApplicationShutdown`, after every user of it stopped in `onModuleDestroy`.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type pg from 'pg';
import { DatabaseCircuit } from './database-circuit.js';
import { DATABASE_CONNECTION, type DatabaseConnection } from './database-connection.js';
import { guardedPool } from './guarded-pg.js';

/**
 * Connections per replica. Consent creation holds one only for its single statement and the
 * sequencer for one batch, so a few keep PostgreSQL's group commit busy. Measured with 20
 * clients creating consents at the database level (create + feed numbering, as the service runs
 * them; busy shared 2-core machine): 4 connections ~350/s, 8 740–980/s, 16 600–760/s.
 */
export const SQL_POOL_MAX = 8;

@Injectable()
export class SqlPool implements OnApplicationShutdown {
  private readonly logger = new Logger(SqlPool.name);
  private pool?: pg.Pool;
  private ended = false;
  /** Statements every new connection runs once (SQL-level PREPAREs). */
  private readonly setup: string[] = [];

  constructor(
    @Inject(DATABASE_CONNECTION) private readonly db: DatabaseConnection,
    private readonly circuit: DatabaseCircuit,
  ) {}

  /** False on embedded PGlite: use Prisma there. */
  get available(): boolean {
    return !this.db.embedded && !this.ended;
  }

  /** Registers a statement each connection runs before its first use (e.g. a PREPARE). */
  onEachConnection(sql: string): void {
    if (this.pool) throw new Error('SqlPool: register connection setup before the first query');
    this.setup.push(sql);
  }

  /** A named prepared statement (extended protocol, parsed once per connection). */
  async prepared(name: string, text: string, values: unknown[]): Promise<pg.QueryResult> {
    return this.connections().query({ name, text, values });
  }

  /**
   * Several statements in ONE simple-protocol message: one round trip, run as one implicit
   * transaction, each statement with its own snapshot. No parameters: callers inline only
   * integers and constants they built themselves.
   */
  async script(sql: string): Promise<pg.QueryResult[]> {
    return (await this.connections().query(sql)) as unknown as pg.QueryResult[];
  }

  async onApplicationShutdown(): Promise<void> {
    this.ended = true;
    await this.pool?.end().catch(() => undefined);
  }

  private connections(): pg.Pool {
    if (!this.available) throw new Error('SqlPool: not available on the embedded database');
    if (!this.pool) {
      const setup = [...this.setup];
      this.pool = guardedPool(this.circuit, {
        connectionString: this.db.url,
        application_name: 'consentgw-sql',
        max: SQL_POOL_MAX,
        connectionTimeoutMillis: 5000,
        idleTimeoutMillis: 30_000,
        // pg-pool (3.14 here) awaits this before the connection's first use and discards the
        // connection when it fails; @types/pg still types the hook as returning void.
        // eslint-disable-next-line @typescript-eslint/no-misused-promises
        onConnect: async (client: pg.ClientBase) => {
          for (const sql of setup) await client.query(sql);
        },
      });
      // An idle connection that dies (database restart) is dropped by the pool; a query on a dead
      // one rejects and reaches the global filter (503 with Retry-After).
      this.pool.on('error', (err) => this.logger.warn(`sql pool connection: ${err.message}`));
    }
    return this.pool;
  }
}
