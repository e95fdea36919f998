/**
 * Usage counters per minute, API, consumer, consent and outcome: the gateway's record of who
 * called what under which consent. Counted in memory on the request path (one Map update) and
 * written in batches off it: every second, one multi-row upsert. A failed write keeps the counts
 * for the next attempt; shutdown flushes what is left (GatewayModule drains requests first).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { warnUnlessUnavailable } from '../prisma/database-unavailable.js';
import { UsageRepository, type UsageCount as Counter, type UsageRow } from './usage.repository.js';

export type { UsageRow };

/** More distinct counters than this between flushes (database down for long) → new ones dropped. */
const MAX_PENDING_KEYS = 100_000;

type Level<T> = Map<string, T>;
/** minute → api → consent → consumer → outcome → counter: no key strings built per call. */
type Tree = Map<number, Level<Level<Level<Level<Counter>>>>>;

/** The map under `key`, created when missing. */
function child<T>(m: Map<string, Map<string, T>>, key: string): Map<string, T> {
  let v = m.get(key);
  if (v === undefined) {
    v = new Map<string, T>();
    m.set(key, v);
  }
  return v;
}

@Injectable()
export class UsageRecorder {
  private readonly logger = new Logger(UsageRecorder.name);
  private pending: Tree = new Map();
  private pendingCount = 0;
  private flushing: Promise<void> | null = null;
  private dropped = 0;

  /** False only when the bench measures the gateway without it (GATEWAY_USAGE_LOG=off). */
  private readonly enabled: boolean;

  constructor(
    private readonly store: UsageRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.enabled = config.gatewayUsageLog;
  }

  record(api: string, consumer: string, consent: string, outcome: string, at?: number): void {
    if (!this.enabled) return;
    const nowMs = at ?? Date.now();
    this.add(api, consumer, consent, outcome, nowMs - (nowMs % 60_000), 1);
  }

  private add(
    api: string,
    consumer: string,
    consent: string,
    outcome: string,
    bucketMs: number,
    n: number,
  ): void {
    let minute = this.pending.get(bucketMs);
    if (minute === undefined) {
      minute = new Map();
      this.pending.set(bucketMs, minute);
    }
    const byOutcome = child(child(child(minute, api), consent), consumer);
    const c = byOutcome.get(outcome);
    if (c) {
      c.count += n;
      return;
    }
    if (this.pendingCount >= MAX_PENDING_KEYS) {
      this.dropped += n;
      return;
    }
    byOutcome.set(outcome, { api, bucketMs, consumer, consent, outcome, count: n });
    this.pendingCount++;
  }

  get pendingKeys(): number {
    return this.pendingCount;
  }

  private static counters(tree: Tree): Counter[] {
    const out: Counter[] = [];
    for (const minute of tree.values())
      for (const byConsent of minute.values())
        for (const byConsumer of byConsent.values())
          for (const byOutcome of byConsumer.values()) for (const c of byOutcome.values()) out.push(c);
    return out;
  }

  /** Puts counts that could not be written back (merged with what arrived meanwhile). */
  private restore(rows: Counter[]): void {
    for (const r of rows) this.add(r.api, r.consumer, r.consent, r.outcome, r.bucketMs, r.count);
  }

  /** Writes everything counted so far. Concurrent calls share one write. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.pendingCount ? this.flush() : undefined));
    if (this.pendingCount === 0) return Promise.resolve();
    const batch = UsageRecorder.counters(this.pending);
    this.pending = new Map();
    this.pendingCount = 0;
    this.flushing = this.store
      .add(batch)
      .catch((err: unknown) => {
        this.restore(batch);
        warnUnlessUnavailable(this.logger, 'usage flush (will retry)', err);
      })
      .finally(() => {
        this.flushing = null;
        if (this.dropped) {
          this.logger.warn(
            `usage counts dropped (too many distinct counters while the database was unavailable): ${this.dropped}`,
          );
          this.dropped = 0;
        }
      });
    return this.flushing;
  }

  /** Usage of one API (owner view), newest minute first. */
  query(api: string, from: Date, to: Date, limit: number): Promise<UsageRow[]> {
    return this.store.query(api, from, to, limit);
  }
}
