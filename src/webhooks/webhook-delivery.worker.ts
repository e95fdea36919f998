/**
 * Sends queued webhook deliveries (DESIGN §4.10, §10).
 *
 * Right after a consent or a subscription changes in this or another replica (ChangeBus), when
 * the next attempt (a retry, or a claim whose lease ran out) is due, and at least every
 * `WEBHOOK_POLL_INTERVAL_MS` as a safety net (not a fixed-rate poll: issue 22), the worker (1) fans new consent events out into deliveries (WebhookOutboxService) and
 * (2) claims due deliveries and sends them, several at a time.
 *
 * ── One attempt is never sent twice at once ────────────────────────────────────────────────
 * A claim is one UPDATE over rows picked with `FOR UPDATE SKIP LOCKED`: it increments `attempts`
 * and pushes `next_attempt_at` a lease (60 s, far beyond the 10 s send timeout) into the future,
 * so no other worker or replica sees the row as due while it is being sent. The result is written
 * only if `attempts` still has the claimed value (a fence): a worker that stalled past its lease
 * cannot overwrite the result of the attempt that replaced it. If a worker dies mid-send, its
 * lease runs out and the delivery is sent again — at least once, with the same `X-Webhook-Id`.
 *
 * ── Failures ────────────────────────────────────────────────────────────────────────────────
 * Not 2xx within 10 s (redirects are not followed) → retried after about 5 s, 30 s, 2 min,
 * 10 min, then hourly, for 24 h; then the delivery is `failed`. A subscription whose deliveries
 * have failed for 24 h without a single success in between is disabled (`active: false`,
 * `disabledAt`, `disabledReason`), its pending deliveries are cancelled, and that is audited.
 *
 * ── Shutdown ────────────────────────────────────────────────────────────────────────────────
 * No new claims; attempts in flight get a few seconds to finish, the rest are aborted and their
 * claims released (attempt count restored, due now) so another replica sends them at once.
 */
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { formatTraceparent, traceContextFromHeaders } from '../common/tracing/trace-context.js';
import { ChangeLogService } from '../audit/change-log.service.js';
import { ChangeBus } from '../common/events/change-bus.js';
import { WakeTimer } from '../common/events/wake-timer.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { renderBody, type StoredPayload } from './webhook-events.js';
import { WebhookMetrics } from './webhook-metrics.js';
import { WebhookOutboxService } from './webhook-outbox.service.js';
import { nextAttemptAt, RETRY_WINDOW_MS } from './retry-schedule.js';
import { openSecret } from './webhook-secret.js';
import { WebhookSender, type SendResult } from './webhook-sender.js';
import { cancelPending, claimDue, countFailure } from './webhooks.repository.js';
import {
  SIGNATURE_HEADER,
  signWebhookBody,
  TIMESTAMP_HEADER,
  WEBHOOK_ID_HEADER,
} from './webhook-signature.js';
import { warnUnlessUnavailable } from '../prisma/database-unavailable.js';

/** How long a claimed attempt is hidden from other workers. */
export const LEASE_SECONDS = 60;
/** Attempts in flight per replica. */
export const MAX_IN_FLIGHT = 16;
/** Finished deliveries are kept this long for the delivery log, then deleted. */
export const RETENTION_DAYS = 30;
const PRUNE_EVERY_MS = 3_600_000;
/** Kicks this close together share one pass. */
const KICK_DELAY_MS = 20;
/** Passes started by the due-time timer are at least this far apart (a row due but not claimable). */
const MIN_WAKE_GAP_MS = 1000;
const MAX_ERROR_CHARS = 500;

/** One claimed attempt. */
export interface ClaimedDelivery {
  id: string;
  subscriptionId: string;
  payload: StoredPayload;
  /** The attempt number this claim made (the fence). */
  attempts: number;
  createdAt: Date;
  url: string;
  secret: string;
}

interface InFlight {
  abort: AbortController;
  done: Promise<void>;
}

@Injectable()
export class WebhookDeliveryWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private readonly sender: WebhookSender;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly timer: WakeTimer;
  private running?: Promise<void>;
  private scheduled?: NodeJS.Timeout;
  private again = false;
  private moreDue = false;
  private stopped = false;
  private lastPrune = 0;

  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: WebhookOutboxService,
    private readonly changeLog: ChangeLogService,
    private readonly changes: ChangeBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: WebhookMetrics,
  ) {
    this.sender = new WebhookSender(config.nodeEnv !== 'production');
    this.timer = new WakeTimer(() => this.kick(), config.webhookPollIntervalMs);
  }

  onApplicationBootstrap(): void {
    // A consent event was committed here or on another replica: deliver it now, not at the next poll.
    this.changes.subscribe((e) => {
      // ('access-request': its changes write deliveries directly, through the outbox.)
      if (e.topic === 'consent' || e.topic === 'webhook' || e.topic === 'access-request') this.kick();
    });
    this.kick(); // resume at once after a restart
  }

  async onModuleDestroy(): Promise<void> {
    // onModuleDestroy, not onApplicationShutdown: releasing claims needs the database, which the
    // (global) Prisma module disconnects after the other modules' destroy hooks have run.
    this.stopped = true;
    this.timer.stop();
    clearTimeout(this.scheduled);
    await this.running?.catch(() => undefined);
    if (this.inFlight.size) {
      const drainMs = Math.min(5_000, Math.floor(this.config.shutdownGraceMs / 2));
      const all = () => Promise.allSettled([...this.inFlight.values()].map((f) => f.done));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all(), new Promise((r) => (timer = setTimeout(r, drainMs)))]);
      clearTimeout(timer);
      for (const f of this.inFlight.values()) f.abort.abort();
      await all();
    }
    await this.sender.close();
  }

  /**
   * Runs a pass soon (or right after the current one). Kicks within KICK_DELAY_MS share one
   * pass, so a burst of consent changes costs one fan-out, not one per change. Never throws.
   */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = setTimeout(() => {
      this.scheduled = undefined;
      if (this.stopped) return;
      this.running = this.pass()
        .then((nextDue) => this.timer.wakeAt(Math.max(nextDue ?? Infinity, Date.now() + MIN_WAKE_GAP_MS)))
        .catch((err: unknown) => {
          warnUnlessUnavailable(this.logger, 'webhook pass', err);
          this.timer.wakeAt(null);
        })
        .finally(() => {
          this.running = undefined;
          if (this.again) {
            this.again = false;
            this.kick();
          }
        });
    }, KICK_DELAY_MS);
  }

  /** Attempts currently being sent by this replica. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** One pass; returns when the next attempt is due (epoch ms), or null when none is pending. */
  private async pass(): Promise<number | null> {
    await this.outbox.fanOutAll();
    if (this.stopped) return null;
    const free = MAX_IN_FLIGHT - this.inFlight.size;
    if (free > 0) {
      const claimed = await this.claim(free);
      for (const c of claimed) this.start(c);
      // A full batch: more may be due; the next pass runs as soon as an attempt finishes.
      this.moreDue = claimed.length === free;
    }
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      await this.prune();
    }
    return this.nextDue();
  }

  /** When the earliest pending attempt of an active subscription is due (a retry or a lease's end). */
  private async nextDue(): Promise<number | null> {
    const { _min } = await this.prisma.webhookDelivery.aggregate({
      _min: { nextAttemptAt: true },
      where: { status: 'pending', subscription: { active: true } },
    });
    return _min.nextAttemptAt?.getTime() ?? null;
  }

  /** Claims up to `limit` due deliveries of active subscriptions (see the file comment). */
  async claim(limit: number): Promise<ClaimedDelivery[]> {
    const rows = await claimDue(this.prisma, limit, LEASE_SECONDS);
    return rows.map((r) => ({
      id: r.id,
      subscriptionId: r.subscription_id,
      payload: r.payload,
      attempts: r.attempts,
      createdAt: r.created_at,
      url: r.url,
      secret: r.secret,
    }));
  }

  private start(c: ClaimedDelivery): void {
    const abort = new AbortController();
    const done = this.attempt(c, abort.signal)
      .then(() => undefined)
      .catch((err: unknown) =>
        this.logger.warn(`webhook delivery ${c.id} could not be recorded: ${(err as Error).message}`),
      )
      .finally(() => {
        this.inFlight.delete(c.id);
        if (this.moreDue) this.kick();
      });
    this.inFlight.set(c.id, { abort, done });
  }

  /** Signs and sends one claimed attempt, then records its result. */
  async attempt(c: ClaimedDelivery, signal?: AbortSignal): Promise<SendResult> {
    let result: SendResult;
    const started = performance.now();
    // Each attempt is a trace of its own (the change that queued it committed long ago, in
    // another request): the receiver gets its `traceparent`, and our log line quotes it.
    const trace = traceContextFromHeaders({});
    try {
      const secret = openSecret(c.secret, this.config.keyEncryptionSecret);
      const timestamp = Math.floor(Date.now() / 1000);
      const body = renderBody(c.payload, timestamp);
      result = await this.sender.send({
        url: c.url,
        body,
        signal,
        headers: {
          [WEBHOOK_ID_HEADER]: c.payload.id,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhookBody(body, secret),
          traceparent: formatTraceparent(trace),
        },
      });
    } catch (err) {
      this.logger.error(`webhook delivery ${c.id} could not be prepared: ${(err as Error).message}`);
      result = { ok: false, error: 'the delivery could not be signed (server configuration)' };
    }
    if (result.aborted) {
      await this.release(c);
      return result;
    }
    const seconds = (performance.now() - started) / 1000;
    this.metrics.attemptSeconds.observe(seconds);
    this.logger[result.ok ? 'log' : 'warn']({
      msg: 'webhook attempt',
      delivery: c.id,
      subscription: c.subscriptionId,
      attempt: c.attempts,
      status: result.status,
      error: result.ok ? undefined : result.error,
      ms: Math.round(seconds * 100_000) / 100,
      traceId: formatTraceparent(trace),
    });
    if (result.ok) await this.recordSuccess(c, result.status ?? 200);
    else await this.recordFailure(c, result);
    return result;
  }

  private async recordSuccess(c: ClaimedDelivery, status: number): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      // The fence: only the attempt that still holds the claim (`attempts`) records its result.
      const { count } = await tx.webhookDelivery.updateMany({
        where: { id: c.id, attempts: c.attempts, status: 'pending' },
        data: { status: 'delivered', deliveredAt: new Date(), lastStatusCode: status, lastError: null },
      });
      if (count)
        await tx.webhookSubscription.updateMany({
          where: {
            id: c.subscriptionId,
            OR: [{ failureCount: { not: 0 } }, { failingSince: { not: null } }],
          },
          data: { failureCount: 0, failingSince: null },
        });
    });
    this.metrics.attemptsTotal.inc({ outcome: 'delivered' });
  }

  private async recordFailure(c: ClaimedDelivery, result: SendResult): Promise<void> {
    const now = new Date();
    const next = nextAttemptAt(c.attempts, c.createdAt, now);
    const error = (result.error ?? 'failed').slice(0, MAX_ERROR_CHARS);
    const disabled = await this.changeLog.transaction(async (tx, record) => {
      const { count } = await tx.webhookDelivery.updateMany({
        where: { id: c.id, attempts: c.attempts, status: 'pending' },
        data: {
          status: next ? 'pending' : 'failed',
          nextAttemptAt: next ?? now,
          lastStatusCode: result.status ?? null,
          lastError: error,
        },
      });
      if (!count) return null; // our lease was lost; the attempt that replaced it records its own result
      const sub = await countFailure(tx, c.subscriptionId, RETRY_WINDOW_MS / 1000);
      if (!sub?.active || !sub.failing_long) return null;
      const reason = `Every delivery failed for 24 hours (last error: ${error})`.slice(0, MAX_ERROR_CHARS);
      await tx.webhookSubscription.updateMany({
        where: { id: c.subscriptionId },
        data: { active: false, disabledAt: new Date(), disabledReason: reason },
      });
      await cancelPending(tx, c.subscriptionId);
      await record({
        topic: 'webhook',
        id: c.subscriptionId,
        audit: {
          actor: {},
          action: 'webhook.disabled',
          objectType: 'webhook',
          objectId: c.subscriptionId,
          ownerOrg: sub.org_number,
          before: { active: true },
          after: { active: false, disabledReason: reason },
        },
      });
      return { org: sub.org_number, url: sub.url, reason };
    });
    this.metrics.attemptsTotal.inc({ outcome: next ? 'retry' : 'failed' });
    if (disabled) {
      this.metrics.subscriptionsDisabledTotal.inc();
      this.logger.warn(
        `webhook subscription ${c.subscriptionId} of ${disabled.org} disabled: ${disabled.reason}`,
      );
    }
  }

  /** Gives a claimed attempt back (shutdown): not counted, due at once. */
  private async release(c: ClaimedDelivery): Promise<void> {
    await this.prisma.webhookDelivery.updateMany({
      where: { id: c.id, attempts: c.attempts, status: 'pending' },
      data: { attempts: { decrement: 1 }, nextAttemptAt: new Date() },
    });
  }

  /** Deletes finished deliveries older than the retention period. */
  private async prune(): Promise<void> {
    await this.prisma.webhookDelivery.deleteMany({
      where: {
        status: { not: 'pending' },
        createdAt: { lt: new Date(Date.now() - RETENTION_DAYS * 86_400_000) },
      },
    });
  }
}
