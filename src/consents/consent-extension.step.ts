/**
 * One step of a consent extension (asked, cancelled, declined, approved) as one transaction:
 * the consent row locked, the step's change, its audit row and its event commit together, and
 * after the commit the notifications. ConsentExtensionsService (the consumer's steps) and
 * ConsentExtensionDecisionsService (the person's) both go through here.
 */
import { Injectable } from '@nestjs/common';
import type { AuditActor } from '../audit/audit.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { DomainError } from '../common/errors/domain-error.js';
import { ChangeBus } from '../common/events/change-bus.js';
import type { ConsentRequest as ConsentRequestRow } from '../generated/prisma/client.js';
import { PrismaService, TX_OPTIONS, type PrismaTx } from '../prisma/prisma.service.js';
import { ConsentEventsService } from './consent-events.service.js';
import { ExtensionCodes, extensionProblem, notPending } from './consent-extension-problems.js';
import type { ConsentExtensionRecord } from './consent-extension.record.js';
import { ConsentFeedSequencer } from './consent-feed.sequencer.js';
import { notFound } from './consent-problems.js';
import type { ConsentEventType, ConsentRecord } from './consent.record.js';
import { ConsentVersionsService } from './consent-versions.service.js';
import { ConsentsService } from './consents.service.js';

/** What a step changed, for its audit row and event; who took it: the consumer (an org) or the person. */
export interface ExtensionStep {
  consent: ConsentRequestRow;
  extensionId: string;
  eventType: ConsentEventType;
  performedBy: string;
  actor: AuditActor;
  now: Date;
  after: Record<string, unknown>;
}

@Injectable()
export class ConsentExtensionStep {
  constructor(
    private readonly prisma: PrismaService,
    private readonly consents: ConsentsService,
    private readonly versions: ConsentVersionsService,
    private readonly events: ConsentEventsService,
    private readonly sequencer: ConsentFeedSequencer,
    private readonly audit: AuditService,
    private readonly changes: ChangeBus,
  ) {}

  /**
   * One step in one transaction: lock the consent row, run `change` (null = nothing to do),
   * then the audit row and the event (with its extension id), and after commit the notifications.
   */
  async run(
    consentId: string,
    change: (tx: PrismaTx, row: ConsentRequestRow, now: Date) => Promise<ExtensionStep | null>,
  ): Promise<boolean> {
    const done = await this.prisma.$transaction(async (tx) => {
      const now = new Date();
      // A no-op UPDATE takes the row lock: steps on one consent queue here, so each sees the
      // one before it committed (and a concurrent revocation or expiry waits or is seen).
      const [row] = await tx.consentRequest.updateManyAndReturn({
        where: { id: consentId },
        data: { version: { increment: 0 } },
      });
      if (!row) throw notFound(consentId);
      const s = await change(tx, row, now);
      if (!s) return false;
      await this.audit.record(tx, {
        actor: s.actor,
        action: `consent.${s.eventType}`,
        objectType: 'consent',
        objectId: consentId,
        ownerOrg: row.ownerOrg,
        before: { version: row.version, validTo: row.validTo },
        after: s.after,
      });
      const [eventId] = await this.events.append(tx, [
        {
          consentRequestId: consentId,
          eventType: s.eventType,
          createdAt: s.now,
          performedBy: s.performedBy,
          toOrg: s.consent.toOrg,
          handledBy: s.consent.handledBy,
        },
      ]);
      await tx.consentEvent.update({ where: { id: eventId }, data: { extensionId: s.extensionId } });
      return true;
    }, TX_OPTIONS);
    if (done) {
      this.changes.emitLocal('consent', consentId);
      await this.sequencer.afterCommit();
    }
    return done;
  }

  /** pending → declined / cancelled; doing it again is a no-op; any other state 409 CX-00004. */
  async close(
    consent: ConsentRecord,
    found: ConsentExtensionRecord,
    to: 'declined' | 'cancelled',
    how: Pick<ExtensionStep, 'eventType' | 'performedBy' | 'actor'>,
  ): Promise<void> {
    if (found.status === to) return;
    if (found.status !== 'pending') throw notPending(found);
    const done = await this.run(consent.id, async (tx, row, now) => {
      const closed = await tx.consentExtension.updateMany({
        where: { id: found.id, status: 'pending' },
        data: { status: to, openKey: null, decidedBy: how.performedBy, decidedAt: now },
      });
      if (closed.count !== 1) return null;
      return {
        ...how,
        consent: row,
        extensionId: found.id,
        now,
        after: { extensionId: found.id, status: to },
      };
    });
    if (!done) {
      const now = await this.versions.extensionOf((await this.consents.findById(consent.id))!, found.id);
      if (now?.status !== to) throw notPending(now ?? found);
    }
  }

  /** Why an approval changed nothing: the consent moved on (CX-00001) or the extension did. */
  async refusal(consentId: string, extensionId: string | null): Promise<DomainError> {
    const consent = (await this.consents.findById(consentId))!;
    const now = extensionId ? await this.versions.extensionOf(consent, extensionId) : null;
    if (now && now.status !== 'pending' && now.status !== 'lapsed') return notPending(now);
    return extensionProblem(
      400,
      ExtensionCodes.consentNotActive,
      `The consent is ${consent.status}${consent.status === 'accepted' ? ' under newer terms' : ''}; it can no longer be extended by this request.`,
    );
  }
}
