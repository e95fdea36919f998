/**
 * The consent lifecycle (DESIGN §4.7) and the read API other contexts use (portal, token
 * issuer, gateway).
 *
 * Every transition is one conditional UPDATE (`… WHERE status = <from> AND valid_to > now`):
 * PostgreSQL's row lock makes a second concurrent transition wait and then re-check its WHERE
 * against the committed row, so two accepts produce one event and an accept racing a revoke
 * ends in a state one of them legitimately produced. When the UPDATE matches nothing we read the
 * committed row and answer idempotently (already in the target state) or with Altinn's code.
 * The change, its receipt, its audit row, its NOTIFY and its event commit together.
 */
import { Injectable } from '@nestjs/common';
import type { AuditActor } from '../audit/audit.service.js';
import { AuditService } from '../audit/audit.service.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ChangeBus } from '../common/events/change-bus.js';
import { isValidOrgNumber } from '../common/identifiers/org-number.js';
import { orgUrn, parsePartyUrn } from '../common/identifiers/party-urn.js';
import { Prisma, type ConsentRequest as ConsentRequestRow } from '../generated/prisma/client.js';
import { PrismaService, TX_OPTIONS, type PrismaTx } from '../prisma/prisma.service.js';
import { ResourcesService } from '../resources/resources.service.js';
import type { Principal } from '../common/auth/principal.js';
import { canSee } from './consent-access.js';
import { badInput, checkedReceipt, personActor } from './consent-decision.input.js';
import { ConsentEventsService } from './consent-events.service.js';
import { ConsentFeedSequencer } from './consent-feed.sequencer.js';
import {
  ConsentCodes,
  consentProblem,
  INVALID_VALUE,
  notAuthorized,
  notFound,
  problem,
  validationError,
} from './consent-problems.js';
import type { ConsentReceipt, ConsentReceiptInput, ConsentRecord, ConsentStatus } from './consent.record.js';
import { effectiveStatus, toReceipt, toRecord } from './consent.mapper.js';
import { declinedFor } from './consent-partial-acceptance.js';
import { isUuid } from '../common/identifiers/uuid.js';

interface Transition {
  id: string;
  from: ConsentStatus;
  to: ConsentStatus;
  performedBy: string;
  actor: AuditActor;
  /** Also set `consented` (accept). */
  consented?: boolean;
  /** Why (an owner's or the operator's revocation): stored on the event and in the audit row. */
  reason?: string;
  /** More columns for the UPDATE (a partial acceptance's choice); also in the audit row. */
  set?: { partialAcceptance: Prisma.InputJsonValue };
  /** Extra writes in the same transaction before the event (the receipt). */
  also?: (tx: PrismaTx, row: ConsentRequestRow, now: Date) => Promise<void>;
  /** When nothing matched: return the row when it is already where the caller wanted it. */
  alreadyDone: (row: ConsentRequestRow, tx: PrismaTx) => Promise<boolean>;
  /** When nothing matched and it is not done: the error to answer. */
  refuse: (row: ConsentRequestRow, now: Date) => DomainError;
}

/** Audit actor for a party URN (person or organisation). */
export function auditActorFor(partyUrn: string): AuditActor {
  const party = parsePartyUrn(partyUrn);
  if (party?.type === 'person') return { person: party.id };
  if (party?.type === 'organization') return { org: party.id };
  return {};
}

@Injectable()
export class ConsentsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly events: ConsentEventsService,
    private readonly sequencer: ConsentFeedSequencer,
    private readonly changes: ChangeBus,
    private readonly resources: ResourcesService,
  ) {}

  async findById(id: string): Promise<ConsentRecord | null> {
    if (!isUuid(id)) return null;
    const row = await this.prisma.consentRequest.findUnique({ where: { id: id.toLowerCase() } });
    return row ? toRecord(row) : null;
  }

  /** The consent an API path names: 400 when the id is not a UUID, 404 when there is none. */
  async findByPathId(id: string): Promise<ConsentRecord> {
    if (!isUuid(id))
      throw validationError([
        problem(INVALID_VALUE, '/id', 'The id must be a UUID.', 'The id must be a UUID.'),
      ]);
    const consent = await this.findById(id);
    if (!consent) throw notFound(id);
    return consent;
  }

  /** `findByPathId`, for its consumer (`to`) or `handledBy` only: 403 for anyone else. */
  async findForConsumer(principal: Principal, id: string): Promise<ConsentRecord> {
    const consent = await this.findByPathId(id);
    if (!canSee(principal, consent)) throw notAuthorized();
    return consent;
  }

  /**
   * `findByPathId`, for its consumer (`to`, `handledBy`) or the owner of a resource it names (by
   * the resource version it was given under); `refused()` for anyone else.
   */
  async findForReader(
    principal: Principal,
    id: string,
    refused: () => DomainError = () => notAuthorized(),
  ): Promise<ConsentRecord> {
    const consent = await this.findByPathId(id);
    if (canSee(principal, consent)) return consent;
    const versions = await Promise.all(
      Object.entries(consent.resourceVersions).map(([identifier, versionId]) =>
        this.resources.getConsentResourceVersion(identifier, versionId),
      ),
    );
    if (versions.some((v) => v?.ownerOrgNumber === principal.consumer)) return consent;
    throw refused();
  }

  /** Consents whose data subject (`from`) is one of these parties, newest first (the portal). */
  async listForParties(partyUrns: string[]): Promise<ConsentRecord[]> {
    if (!partyUrns.length) return [];
    const rows = await this.prisma.consentRequest.findMany({
      where: { fromParty: { in: partyUrns } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: 1000,
    });
    const now = new Date();
    return rows.map((r) => toRecord(r, now));
  }

  async getReceipt(id: string): Promise<ConsentReceipt | null> {
    if (!isUuid(id)) return null;
    const r = await this.prisma.consentReceipt.findUnique({ where: { consentRequestId: id.toLowerCase() } });
    return r ? toReceipt(r) : null;
  }

  /**
   * `created` → `accepted`, storing what the person saw as the receipt. Accepting again by the
   * same person returns the consent unchanged; anything else that is not `created` is AM-00002
   * (AM-00013 when the request has expired).
   *
   * `acceptedRights` (indexes into `consentRights`; undefined = all) is the person's choice on a
   * request that allows partial acceptance (PA-00004…6 when it is not a valid one); the declined
   * rights are stored with the status change, in the same UPDATE.
   */
  async accept(
    id: string,
    actor: { personId: string },
    receipt: ConsentReceiptInput,
    acceptedRights?: readonly number[],
  ): Promise<ConsentRecord> {
    const by = personActor(actor);
    const receiptColumns = checkedReceipt(receipt);
    // Which rights may be declined is fixed at creation, so reading it before the transition is
    // safe; the status check that matters is the UPDATE's WHERE.
    const current = await this.findById(id);
    if (!current) throw notFound(id);
    const declined = declinedFor(current.partialAcceptance, current.consentRights.length, acceptedRights);
    const partial = current.partialAcceptance;
    return this.transition({
      set: partial ? { partialAcceptance: { required: partial.required, declined } } : undefined,
      id,
      from: 'created',
      to: 'accepted',
      performedBy: by,
      actor: { person: actor.personId },
      consented: true,
      also: async (tx, row, now) => {
        await tx.consentReceipt.create({
          data: { consentRequestId: row.id, ...receiptColumns(row, by, now) },
        });
      },
      alreadyDone: async (row, tx) => {
        if (row.status !== 'accepted') return false;
        const r = await tx.consentReceipt.findUnique({
          where: { consentRequestId: row.id },
          select: { acceptedBy: true },
        });
        return r?.acceptedBy === by;
      },
      refuse: refuseUnlessCreated(
        ConsentCodes.cannotAccept,
        'accepted',
        'The consent request has expired and can no longer be accepted.',
      ),
    });
  }

  /** `created` → `rejected`; rejecting again is a no-op; otherwise AM-00015 (AM-00013 when expired). */
  async reject(id: string, actor: { personId: string }): Promise<ConsentRecord> {
    return this.transition({
      id,
      from: 'created',
      to: 'rejected',
      performedBy: personActor(actor),
      actor: { person: actor.personId },
      alreadyDone: (row) => Promise.resolve(row.status === 'rejected'),
      refuse: refuseUnlessCreated(ConsentCodes.cannotReject, 'rejected', 'The consent request has expired.'),
    });
  }

  /** `accepted` → `revoked`; revoking again is a no-op; otherwise AM-00010. */
  async revoke(id: string, actor: { personId: string }): Promise<ConsentRecord> {
    return this.transition({
      id,
      from: 'accepted',
      to: 'revoked',
      performedBy: personActor(actor),
      actor: { person: actor.personId },
      alreadyDone: alreadyRevoked,
      refuse: cannotRevoke,
    });
  }

  /**
   * `accepted` → `revoked` by the data owner or the platform operator (beyond Altinn), with the
   * reason the person and the consumer are shown. Authorisation is the caller's
   * (ConsentRevocationsService); revoking a revoked consent again changes nothing (the first
   * reason stays); otherwise AM-00010.
   */
  async revokeWithReason(
    id: string,
    by: { org: string; client: string | null },
    reason: string,
  ): Promise<ConsentRecord> {
    return this.transition({
      id,
      from: 'accepted',
      to: 'revoked',
      performedBy: orgUrn(by.org),
      actor: { org: by.org, client: by.client },
      reason,
      alreadyDone: alreadyRevoked,
      refuse: cannotRevoke,
    });
  }

  /**
   * The consumer withdraws its unanswered request: `created` → `deleted` (beyond Altinn).
   * `org` (org number or URN) must be the request's `to` or `handledBy`.
   */
  async cancel(id: string, org: string): Promise<ConsentRecord> {
    const party = parsePartyUrn(org);
    const orgNumber = party?.type === 'organization' ? party.id : org;
    if (!isValidOrgNumber(orgNumber))
      throw badInput('The cancelling organisation must have a valid organisation number.');
    const current = await this.findById(id);
    if (!current) throw notFound(id);
    if (current.toOrg !== orgNumber && current.handledBy !== orgUrn(orgNumber)) throw notAuthorized();
    return this.transition({
      id,
      from: 'created',
      to: 'deleted',
      performedBy: orgUrn(orgNumber),
      actor: { org: orgNumber },
      alreadyDone: (row) => Promise.resolve(row.status === 'deleted'),
      refuse: (row, now) =>
        DomainError.conflict(
          'STD-00409',
          `The consent request is ${effectiveStatus(row.status, row.validTo, now)}; only a created request can be cancelled.`,
        ),
    });
  }

  /**
   * One-time consents: `accepted` → `used` on the first successful gateway call. True only for
   * the one caller whose UPDATE won; false when the consent is not (or no longer) usable.
   */
  async markUsed(id: string, performedBy: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    try {
      await this.transition({
        id,
        from: 'accepted',
        to: 'used',
        performedBy,
        actor: auditActorFor(performedBy),
        alreadyDone: () => Promise.resolve(false),
        refuse: () => new DomainError(409, 'STD-00409', 'not usable'),
      });
      return true;
    } catch (err) {
      if (err instanceof DomainError && err.status < 500) return false;
      throw err;
    }
  }

  private async transition(t: Transition): Promise<ConsentRecord> {
    if (!isUuid(t.id)) throw notFound(t.id);
    const id = t.id.toLowerCase();
    const { row, changed } = await this.prisma.$transaction(async (tx) => {
      const now = new Date();
      const [updated] = await tx.consentRequest.updateManyAndReturn({
        where: { id, status: t.from, validTo: { gt: now } },
        data: { status: t.to, updatedAt: now, ...(t.consented ? { consented: now } : {}), ...t.set },
      });
      if (!updated) {
        // Read committed: a concurrent transition that beat us has committed by now (we waited
        // for its row lock before our WHERE failed), so this is the state it left.
        const current = await tx.consentRequest.findUnique({ where: { id } });
        if (!current) throw notFound(id);
        if (await t.alreadyDone(current, tx)) return { row: current, changed: false };
        throw t.refuse(current, now);
      }
      await t.also?.(tx, updated, now);
      await this.audit.record(tx, {
        actor: t.actor,
        action: `consent.${t.to}`,
        objectType: 'consent',
        objectId: id,
        ownerOrg: updated.ownerOrg,
        before: { status: t.from },
        after: {
          status: t.to,
          ...(t.consented ? { consented: now } : {}),
          ...(t.reason ? { reason: t.reason } : {}),
          ...t.set,
        },
      });
      const [eventId] = await this.events.append(tx, [
        {
          consentRequestId: id,
          eventType: t.to,
          createdAt: now,
          performedBy: t.performedBy,
          toOrg: updated.toOrg,
          handledBy: updated.handledBy,
        },
      ]);
      // A separate write keeps the event insert (the hot path) one shape; revocations are rare.
      if (t.reason) await tx.consentEvent.update({ where: { id: eventId }, data: { reason: t.reason } });
      return { row: updated, changed: true };
    }, TX_OPTIONS);
    if (changed) {
      this.changes.emitLocal('consent', id);
      await this.sequencer.afterCommit();
    }
    return toRecord(row);
  }
}

/** Revoking a revoked consent again changes nothing (by the person or by an owner). */
const alreadyRevoked = (row: { status: string }): Promise<boolean> =>
  Promise.resolve(row.status === 'revoked');

/** AM-00010: only an accepted consent can be revoked. */
/** Why a created request's transition was refused: it expired (AM-00013), or it is no longer created. */
function refuseUnlessCreated(
  code: string,
  verb: 'accepted' | 'rejected',
  expiredDetail: string,
): (row: ConsentRequestRow, now: Date) => DomainError {
  return (row, now) =>
    effectiveStatus(row.status, row.validTo, now) === 'expired'
      ? consentProblem(400, ConsentCodes.expired, expiredDetail)
      : consentProblem(
          400,
          code,
          `The consent request is ${row.status}; only a created request can be ${verb}.`,
        );
}

function cannotRevoke(row: { status: string; validTo: Date }, now: Date): DomainError {
  return consentProblem(
    400,
    ConsentCodes.cannotRevoke,
    `The consent is ${effectiveStatus(row.status, row.validTo, now)}; only an accepted consent can be revoked.`,
  );
}
