/**
 * How other contexts hear of access-request changes without this context importing them
 * (CONVENTIONS: events flow upward, never through an import of a higher layer). Webhooks (layer
 * 4) imports AccessRequestsModule and, in its `onModuleInit`, registers:
 *
 * - `useInTransaction(hook)`: runs inside the transaction that makes the change, after the row
 *   and its audit entry are written, so an outbox row (e.g. a webhook delivery) commits together
 *   with the change or not at all. A hook that throws rolls the change back: keep hooks small.
 * - `onChange(listener)`: told after the commit (cache drops, logs, metrics). Errors are logged
 *   and swallowed; the change has happened already.
 *
 * Both return a function that unregisters.
 */
import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { PrismaTx } from '../prisma/prisma.service.js';
import type { AccessRequestDto } from './dto/access-request.dto.js';

export const ACCESS_REQUEST_EVENT_TYPES = [
  'access-request.created',
  'access-request.approved',
  'access-request.rejected',
  'access-request.withdrawn',
] as const;
export type AccessRequestEventType = (typeof ACCESS_REQUEST_EVENT_TYPES)[number];

export interface AccessRequestEvent {
  /** Unique per change (a webhook can use it as its stable delivery id). */
  id: string;
  type: AccessRequestEventType;
  /** ISO time of the change (= the request's `updatedAt`). */
  time: string;
  /** The request after the change, as both parties see it through the API. */
  request: AccessRequestDto;
  /** Org numbers to notify: the consumer and the owner. */
  parties: { consumer: string; owner: string };
}

export type AccessRequestTxHook = (tx: PrismaTx, event: AccessRequestEvent) => Promise<void>;
export type AccessRequestListener = (event: AccessRequestEvent) => void | Promise<void>;

@Injectable()
export class AccessRequestEvents {
  private readonly logger = new Logger(AccessRequestEvents.name);
  private readonly hooks = new Set<AccessRequestTxHook>();
  private readonly listeners = new Set<AccessRequestListener>();

  useInTransaction(hook: AccessRequestTxHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  onChange(listener: AccessRequestListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Builds the event for a change (called inside the transaction). */
  static event(type: AccessRequestEventType, request: AccessRequestDto): AccessRequestEvent {
    return {
      id: randomUUID(),
      type,
      time: request.updatedAt,
      request,
      parties: { consumer: request.consumerOrgNumber, owner: request.ownerOrgNumber },
    };
  }

  /** Inside the change's transaction. */
  async inTransaction(tx: PrismaTx, event: AccessRequestEvent): Promise<void> {
    for (const hook of this.hooks) await hook(tx, event);
  }

  /** After the commit; never throws. */
  committed(event: AccessRequestEvent): void {
    for (const listener of this.listeners) {
      try {
        const r = listener(event);
        if (r instanceof Promise) r.catch((err: unknown) => this.failed(event, err));
      } catch (err) {
        this.failed(event, err);
      }
    }
  }

  private failed(event: AccessRequestEvent, err: unknown): void {
    this.logger.warn(
      `access-request listener failed for ${event.type} ${event.request.id}: ${(err as Error)?.message}`,
    );
  }
}
