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
import type pg from 'pg';
import { backoffDelay, DatabaseCircuit } from '../../prisma/database-circuit.js';
import { DATABASE_CONNECTION, type DatabaseConnection } from '../../prisma/database-connection.js';
import { guardedClientClass } from '../../prisma/guarded-pg.js';

/**
 * Cache invalidation across the process and across replicas (DESIGN §2, CONVENTIONS).
 *
 * The bus only *delivers*; a change is published by the transaction that makes it
 * (`ChangeLogService` in audit/: its audit row, outbox rows and `NOTIFY` commit together, so a
 * rolled-back change publishes nothing and a process that dies after COMMIT has published
 * already). Consent changes ride on their feed events instead: `ConsentFeedSequencer` notifies
 * the consents it numbers, in its numbering transaction.
 *
 * - In-process: one emitter per *process* (not per app), so two app instances in one test
 *   process behave like two replicas. `emitLocal` after the commit.
 * - Across replicas: PostgreSQL `NOTIFY` on channel `consentgw_changes` (see `notification`),
 *   received by ONE dedicated `LISTEN` connection per process. PGlite does not deliver NOTIFY
 *   across connections, and embedded mode is one process anyway, so there it is in-process only.
 *
 * Subscribers must treat `connected === false` (listener lost) as "cache may be stale": the
 * gateway then re-checks the database (fails closed) until the listener is back. The listener
 * reconnects with exponential backoff and jitter (200 ms … 5 s) through the app's
 * DatabaseCircuit, so a database outage costs no connection attempt per second.
 */
export type ChangeTopic =
  | 'consent'
  | 'access-list'
  | 'api'
  | 'resource'
  | 'scope'
  | 'client'
  | 'signing-key'
  | 'webhook'
  | 'access-request';

/** What travels in a NOTIFY: one id, or (from the feed sequencer) several of one topic. */
interface ChangeNotification {
  topic: ChangeTopic;
  id?: string;
  ids?: string[];
  origin?: string;
}

/**
 * The changes a NOTIFY payload carries for this process: none for its own (`origin`, already
 * emitted in-process), for a malformed payload or one of an unknown topic; one per id otherwise.
 */
export function changesOf(payload: string | undefined, ownOrigin: string): ChangeEvent[] {
  let n: ChangeNotification;
  try {
    n = JSON.parse(payload ?? '') as ChangeNotification;
  } catch {
    return [];
  }
  if (!n || typeof n !== 'object' || n.origin === ownOrigin || !ALL_TOPICS.includes(n.topic)) return [];
  const ids = Array.isArray(n.ids) ? n.ids : typeof n.id === 'string' ? [n.id] : [];
  return ids.filter((id) => typeof id === 'string').map((id) => ({ topic: n.topic, id, origin: n.origin }));
}

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
  'access-request',
];
/** The NOTIFY channel of every change (also used in SQL by the feed sequencer). */
export const CHANGE_CHANNEL = 'consentgw_changes';
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

  /**
   * The NOTIFY of a change, for the statement that makes it: delivered to the other replicas
   * when that transaction commits, never when it rolls back. `origin` lets this process ignore
   * its own (it emits them locally after the commit).
   */
  static notification(topic: ChangeTopic, id: string): { channel: string; payload: string } {
    const n: ChangeNotification = { topic, id, origin: INSTANCE };
    return { channel: CHANGE_CHANNEL, payload: JSON.stringify(n) };
  }

  /** This process's origin tag, for notifications built in SQL (the feed sequencer's). */
  static get origin(): string {
    return INSTANCE;
  }

  /** In-process delivery, after the commit (the transaction carried the NOTIFY for the others). */
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
      if (msg.channel !== CHANGE_CHANNEL) return;
      for (const e of changesOf(msg.payload, INSTANCE)) processBus.emit('change', e);
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
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
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
