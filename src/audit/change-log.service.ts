/**
 * The one way a change is published (DESIGN §2 caches, §4.12 audit): inside the transaction that
 * makes the change, `record` writes its audit row, the rows of any outbox registered for its
 * topic (e.g. webhook deliveries of an access request) and its `NOTIFY` to the other replicas;
 * after COMMIT, `committed` delivers it in this process. So:
 *
 * - a change that rolls back publishes nothing (NOTIFY is transactional in PostgreSQL: queued at
 *   the statement, delivered at COMMIT, dropped on ROLLBACK);
 * - a process that dies between COMMIT and `committed` loses nothing the other replicas need:
 *   their NOTIFY went out with the commit, and this process's caches die with it;
 * - no connection is opened per change: the NOTIFY rides on the transaction's own connection.
 *
 * Consent changes are the exception by design: their `consent_events` rows are their outbox, and
 * `ConsentFeedSequencer` notifies them in its numbering transaction — one NOTIFY per batch
 * instead of one per create, because PostgreSQL serialises the commits of every transaction that
 * notified (one cluster-wide lock held through the WAL flush; see docs/architecture.md).
 */
import { Inject, Injectable } from '@nestjs/common';
import { ChangeBus, type ChangeTopic } from '../common/events/change-bus.js';
import { DATABASE_CONNECTION, type DatabaseConnection } from '../prisma/database-connection.js';
import { PrismaService, TX_OPTIONS, type PrismaTx } from '../prisma/prisma.service.js';
import { AuditService, type AuditRecord } from './audit.service.js';

export interface ChangeRecord<P = unknown> {
  topic: ChangeTopic;
  /** The changed object's id ('*' = everything of the topic). */
  id: string;
  /** The audit row of the change, when it has one. */
  audit?: AuditRecord;
  /** Handed to the outbox writers of the topic (e.g. the event a webhook delivers). */
  payload?: P;
}

/** Writes outbox rows for a change, in its transaction. Throwing rolls the change back. */
export type OutboxWriter<P = unknown> = (tx: PrismaTx, change: ChangeRecord<P>) => Promise<void>;

/** Records a change in the running transaction (see ChangeLogService.record). */
export type RecordChange = <P>(change: ChangeRecord<P>) => Promise<void>;

@Injectable()
export class ChangeLogService {
  private readonly outboxes = new Map<ChangeTopic, Set<OutboxWriter>>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly bus: ChangeBus,
    @Inject(DATABASE_CONNECTION) private readonly db: DatabaseConnection,
  ) {}

  /**
   * Lets a higher layer write outbox rows for a topic's changes without the lower layer
   * importing it (docs/architecture.md, rule 6). Returns a function that unregisters.
   */
  useOutbox<P>(topic: ChangeTopic, writer: OutboxWriter<P>): () => void {
    let writers = this.outboxes.get(topic);
    if (!writers) this.outboxes.set(topic, (writers = new Set()));
    const w = writer as OutboxWriter;
    writers.add(w);
    return () => writers.delete(w);
  }

  /**
   * One transaction (TX_OPTIONS unless given) whose recorded changes are delivered in this
   * process after it commits, once per topic and id. Nothing is delivered when it throws.
   */
  async transaction<T>(
    work: (tx: PrismaTx, record: RecordChange) => Promise<T>,
    options: { maxWait?: number; timeout?: number } = TX_OPTIONS,
  ): Promise<T> {
    let recorded: ChangeRecord[] = [];
    const result = await this.prisma.$transaction(async (tx) => {
      recorded = []; // a retried callback starts over
      return work(tx, async (change) => {
        await this.record(tx, change, recorded);
        recorded.push(change);
      });
    }, options);
    this.committed(...recorded);
    return result;
  }

  /**
   * Inside the caller's transaction: the audit row, the topic's outbox rows and the NOTIFY.
   * A caller that runs its own transaction calls `committed` after it commits.
   */
  async record(tx: PrismaTx, change: ChangeRecord, already: ChangeRecord[] = []): Promise<void> {
    if (change.audit) await this.audit.record(tx, change.audit);
    for (const writer of this.outboxes.get(change.topic) ?? []) await writer(tx, change);
    // Once per topic and id and transaction; embedded PGlite delivers NOTIFY to no one.
    if (this.db.embedded || already.some((c) => c.topic === change.topic && c.id === change.id)) return;
    const { channel, payload } = ChangeBus.notification(change.topic, change.id);
    await tx.$executeRaw`SELECT pg_notify(${channel}, ${payload})`;
  }

  /** After the commit: delivers the changes in this process (each topic and id once). */
  committed(...changes: Array<Pick<ChangeRecord, 'topic' | 'id'>>): void {
    const seen = new Set<string>();
    for (const { topic, id } of changes) {
      const key = `${topic}\u0000${id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.bus.emitLocal(topic, id);
    }
  }
}
