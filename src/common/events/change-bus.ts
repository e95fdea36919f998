import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import pg from 'pg';
import { backoffDelay, DatabaseCircuit } from '../../prisma/database-circuit.js';
import { DATABASE_CONNECTION, type DatabaseConnection } from '../../prisma/database-connection.js';
import { isDatabaseUnavailable, unavailabilityLog } from '../../prisma/database-unavailable.js';
import { guardedClientClass, guardedPool } from '../../prisma/guarded-pg.js';

/**
 * Cache invalidation across the process and across replicas (DESIGN §2, CONVENTIONS).
 *
 * - In-process: one emitter per *process* (not per app), so two app instances in one test
 *   process behave like two replicas.
 * - Across replicas: PostgreSQL `NOTIFY` on channel `consentgw_changes`, received by one
 *   dedicated `LISTEN` connection. PGlite does not deliver NOTIFY across connections, and
 *   embedded mode is one process anyway, so there it is in-process only.
 *
 * Subscribers must treat `connected === false` (listener lost) as "cache may be stale": the
 * gateway then re-checks the database (fails closed) until the listener is back. The listener
 * reconnects with exponential backoff and jitter (200 ms … 5 s), and NOTIFYs outside a
 * transaction go through one small pooled connection; both through the app's DatabaseCircuit,
 * so a database outage costs no connection attempt per change or per second.
 */
export type ChangeTopic =
  'consent' | 'access-list' | 'api' | 'resource' | 'scope' | 'client' | 'signing-key' | 'webhook';

export interface ChangeEvent {
  topic: ChangeTopic;
  /** The changed object's id (consent id, list id, api name …); '*' = everything of the topic. */
  id: string;
  /** Process instance that published it. */
  origin?: string;
}

const ALL_TOPICS: ChangeTopic[] = [
  'consent',
  'access-list',
  'api',
  'resource',
  'scope',
  'client',
  'signing-key',
  'webhook',
];
const CHANNEL = 'consentgw_changes';
const processBus = new EventEmitter();
processBus.setMaxListeners(0);
const INSTANCE = randomUUID();

@Injectable()
export class ChangeBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ChangeBus.name);
  private listener?: pg.Client;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectAttempts = 0;
  private readonly Client: typeof pg.Client;
  /** For NOTIFY outside a transaction (created on first use; never on PGlite). */
  private notifyPool?: pg.Pool;
  private readonly handlers: Array<(e: ChangeEvent) => void> = [];
  private readonly stateHandlers: Array<(connected: boolean) => void> = [];
  /** True when changes from other replicas reach us (always true when embedded). */
  connected = true;

  constructor(
    @Inject(DATABASE_CONNECTION) private readonly db: DatabaseConnection,
    @Optional() private readonly circuit: DatabaseCircuit = new DatabaseCircuit(),
  ) {
    this.Client = guardedClientClass(circuit);
  }

  async onModuleInit(): Promise<void> {
    if (!this.db.embedded) await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    for (const h of this.handlers) processBus.off('change', h);
    await this.listener?.end().catch(() => undefined);
    await this.notifyPool?.end().catch(() => undefined);
  }

  /** Subscribe to changes (local and remote). */
  subscribe(handler: (e: ChangeEvent) => void): void {
    this.handlers.push(handler);
    processBus.on('change', handler);
  }

  /** Told when the cross-replica listener drops (false) or comes back (true). */
  onConnectionState(handler: (connected: boolean) => void): void {
    this.stateHandlers.push(handler);
  }

  /** Publish after the change committed. Never throws: a lost NOTIFY is logged. */
  async publish(topic: ChangeTopic, id: string): Promise<void> {
    const event: ChangeEvent = { topic, id, origin: INSTANCE };
    processBus.emit('change', event);
    if (this.db.embedded) return;
    try {
      await this.notifier().query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(event)]);
    } catch (err) {
      if (isDatabaseUnavailable(err)) unavailabilityLog.note(err, `NOTIFY for ${topic}:${id}`);
      else this.logger.warn(`NOTIFY failed for ${topic}:${id}: ${(err as Error).message}`);
    }
  }

  private notifier(): pg.Pool {
    if (!this.notifyPool) {
      this.notifyPool = guardedPool(this.circuit, {
        connectionString: this.db.url,
        application_name: 'consentgw-notify',
        max: 1,
        connectionTimeoutMillis: 5000,
        idleTimeoutMillis: 30_000,
      });
      this.notifyPool.on('error', () => undefined); // an idle connection lost: the next use reconnects
    }
    return this.notifyPool;
  }

  /** NOTIFY inside the caller's transaction: delivered to other replicas only if it commits. */
  static notifySql(topic: ChangeTopic, id: string): { sql: string; params: string[] } {
    return {
      sql: 'SELECT pg_notify($1, $2)',
      params: [CHANNEL, JSON.stringify({ topic, id, origin: INSTANCE })],
    };
  }

  /** Emit locally only (the caller already sent NOTIFY in its transaction). */
  emitLocal(topic: ChangeTopic, id: string): void {
    processBus.emit('change', { topic, id, origin: INSTANCE });
  }

  private setConnected(v: boolean): void {
    if (this.connected === v) return;
    this.connected = v;
    for (const h of this.stateHandlers) h(v);
  }

  private async listen(): Promise<void> {
    const client = new this.Client({ connectionString: this.db.url, application_name: 'consentgw-listen' });
    client.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      try {
        const e = JSON.parse(msg.payload) as ChangeEvent;
        if (e.origin === INSTANCE) return; // already emitted in-process
        processBus.emit('change', e);
      } catch {
        /* ignore malformed payloads */
      }
    });
    const lost = () => {
      if (this.stopped) return;
      if (this.connected)
        this.logger.warn('change listener lost; caches re-check the database until it is back');
      this.setConnected(false);
      this.reconnectAttempts++;
      this.reconnectTimer = setTimeout(
        () => void this.listen().catch(() => lost()),
        backoffDelay(this.reconnectAttempts),
      );
      this.reconnectTimer.unref();
    };
    client.on('error', () => undefined);
    client.on('end', lost);
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      client.removeListener('end', lost);
      await client.end().catch(() => undefined);
      if (this.stopped) return;
      throw err;
    }
    this.listener = client;
    this.reconnectAttempts = 0;
    const wasDown = !this.connected;
    this.setConnected(true);
    // Anything may have changed while we were deaf: tell caches to drop everything.
    if (wasDown)
      for (const topic of ALL_TOPICS) processBus.emit('change', { topic, id: '*', origin: 'reconnect' });
  }
}
