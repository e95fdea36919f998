/**
 * Extending a consent without a new one (beyond Altinn; docs/consent-lifecycle.md#extending-a-consent):
 * the consumer asks for a later `validTo`, the person approves or declines in the portal, and
 * on approval the consent keeps its id and gains a new version with its own receipt.
 *
 * Races are settled by conditional writes, as in ConsentsService: one pending extension per
 * consent is the unique `open_key`; approving updates the consent only `WHERE status =
 * 'accepted' AND valid_to > now AND version = <the version it was asked against>`, so an
 * approval racing a revocation, an expiry or another approval cannot extend a consent that
 * moved on. Each step's change, event, audit row and notification commit together.
 */
import { Injectable } from '@nestjs/common';
import type { AuditActor } from '../audit/audit.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../common/auth/principal.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ChangeBus } from '../common/events/change-bus.js';
import { isLang } from '../common/i18n/languages.js';
import { orgUrn, personUrn } from '../common/identifiers/party-urn.js';
import { isValidPersonNumber } from '../common/identifiers/person-number.js';
import { isUuid, uuidv7 } from '../common/identifiers/uuid.js';
import { Prisma, type ConsentRequest as ConsentRequestRow } from '../generated/prisma/client.js';
import { PrismaService, TX_OPTIONS, type PrismaTx } from '../prisma/prisma.service.js';
import { ResourcesService } from '../resources/resources.service.js';
import { canSee } from './consent-access.js';
import { ConsentEventsService } from './consent-events.service.js';
import { ConsentExtensionRules, parseExtensionBody } from './consent-extension.rules.js';
import { ExtensionCodes, extensionNotFound, extensionProblem } from './consent-extension-problems.js';
import type { ConsentExtensionRecord } from './consent-extension.record.js';
import { ConsentFeedSequencer } from './consent-feed.sequencer.js';
import { INVALID_VALUE, notAuthorized, notFound, problem, validationError } from './consent-problems.js';
import type { ConsentEventType, ConsentReceiptInput, ConsentRecord } from './consent.record.js';
import { toRecord } from './consent.mapper.js';
import { ConsentsService } from './consents.service.js';
import { ConsentVersionsService } from './consent-versions.service.js';

/** What the caller of a step is: an organisation (the consumer) or a person (the portal). */
interface Step {
  consent: ConsentRequestRow;
  extensionId: string;
  eventType: ConsentEventType;
  performedBy: string;
  actor: AuditActor;
  now: Date;
  after: Record<string, unknown>;
}

@Injectable()
export class ConsentExtensionsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly consents: ConsentsService,
    private readonly versions: ConsentVersionsService,
    private readonly events: ConsentEventsService,
    private readonly sequencer: ConsentFeedSequencer,
    private readonly audit: AuditService,
    private readonly resources: ResourcesService,
    private readonly rules: ConsentExtensionRules,
    private readonly changes: ChangeBus,
  ) {}

  /** The consent, when the caller is its consumer (`to`) or `handledBy`: 404 / 403 otherwise. */
  async consentForConsumer(principal: Principal, id: string): Promise<ConsentRecord> {
    if (!isUuid(id))
      throw validationError([
        problem(INVALID_VALUE, '/id', 'The id must be a UUID.', 'The id must be a UUID.'),
      ]);
    const consent = await this.consents.findById(id);
    if (!consent) throw notFound(id);
    if (!canSee(principal, consent)) throw notAuthorized();
    return consent;
  }

  /**
   * The consent, for reading its versions: its consumer (`to`, `handledBy`), or the owner of one
   * of its resources (by the resource version it was given under). 404 / 403 otherwise.
   */
  async consentForReader(principal: Principal, id: string): Promise<ConsentRecord> {
    if (!isUuid(id))
      throw validationError([
        problem(INVALID_VALUE, '/id', 'The id must be a UUID.', 'The id must be a UUID.'),
      ]);
    const consent = await this.consents.findById(id);
    if (!consent) throw notFound(id);
    if (canSee(principal, consent)) return consent;
    const owners = await Promise.all(
      Object.entries(consent.resourceVersions).map(([identifier, versionId]) =>
        this.resources.getConsentResourceVersion(identifier, versionId),
      ),
    );
    if (owners.some((v) => v?.ownerOrgNumber === principal.consumer)) return consent;
    throw notAuthorized(
      'The caller is neither the consumer (`to`, `handledBy`) nor the owner of one of its resources.',
    );
  }

  /**
   * POST …/{id}/extensions. Order: the body (400 naming the field); the consent accepted and
   * unexpired (400 CX-00001); no other pending extension (409 CX-00002); `validTo` later than
   * the current one (400 CX-00003) and within the resources' current policies (400 CP-00001,
   * CP-00004 for a metadata value a policy no longer allows); the consumer still on the
   * resources' access lists (403 AM-00000).
   */
  async request(principal: Principal, id: string, body: unknown): Promise<ConsentExtensionRecord> {
    const validTo = parseExtensionBody(body);
    const consent = await this.consentForConsumer(principal, id);
    const now = new Date();
    if (consent.status !== 'accepted')
      throw extensionProblem(
        400,
        ExtensionCodes.consentNotActive,
        `The consent is ${consent.status}; only an accepted, unexpired consent can be extended.`,
      );
    await this.refuseIfPending(consent);
    if (validTo.getTime() <= consent.validTo.getTime())
      throw validationError([
        problem(
          ExtensionCodes.validToNotLater,
          '/validTo',
          `'validTo' must be later than the consent's current validTo (${consent.validTo.toISOString()}).`,
          'validTo must be later than the consent’s current validTo',
        ),
      ]);
    await this.rules.checkResources(consent, validTo, now);

    const extensionId = uuidv7(now.getTime());
    const by = principal.consumer;
    let done: boolean;
    try {
      done = await this.step(consent.id, async (tx, row) => {
        if (row.status !== 'accepted' || row.validTo <= now || row.version !== consent.version) return null;
        await tx.consentExtension.create({
          data: {
            id: extensionId,
            consentRequestId: row.id,
            baseVersion: row.version,
            previousValidTo: row.validTo,
            validTo,
            requestedBy: by,
            requestedByClient: principal.clientId ?? null,
            openKey: row.id,
            createdAt: now,
          },
        });
        return {
          consent: row,
          extensionId,
          eventType: 'extension_requested',
          performedBy: orgUrn(by),
          actor: { org: by, client: principal.clientId ?? null },
          now,
          after: { extensionId, previousValidTo: row.validTo, validTo },
        };
      });
    } catch (err) {
      // Another request won the race for the one pending slot: say so, as when it came first.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')
        await this.refuseIfPending(consent);
      throw err;
    }
    if (!done) throw await this.refusal(consent.id, null);
    return (await this.versions.extensionOf((await this.consents.findById(consent.id))!, extensionId))!;
  }

  /** POST …/{id}/extensions/{extensionId}/cancel: the consumer withdraws its pending extension. */
  async cancel(principal: Principal, id: string, extensionId: string): Promise<ConsentExtensionRecord> {
    const consent = await this.consentForConsumer(principal, id);
    const found = await this.versions.extensionOf(consent, extensionId);
    if (!found) throw extensionNotFound(extensionId);
    const by = principal.consumer;
    await this.close(consent, found, 'cancelled', {
      eventType: 'extension_cancelled',
      performedBy: orgUrn(by),
      actor: { org: by, client: principal.clientId ?? null },
    });
    return (await this.versions.extensionOf((await this.consents.findById(consent.id))!, found.id))!;
  }

  /** The person declines (portal; the caller has checked that they may decide on the consent). */
  async decline(consent: ConsentRecord, extensionId: string, person: { personId: string }): Promise<void> {
    const found = await this.versions.extensionOf(consent, extensionId);
    if (!found) throw extensionNotFound(extensionId);
    const by = personActor(person);
    await this.close(consent, found, 'declined', {
      eventType: 'extension_declined',
      performedBy: by,
      actor: { person: person.personId },
    });
  }

  /**
   * The person approves (portal; the caller has checked that they may decide): the consent
   * gets the new `validTo` and version `baseVersion + 1` with this receipt, its `expiring`
   * reminder is re-armed, and the extension is `approved`. Approving again by the same person
   * changes nothing.
   */
  async approve(
    consent: ConsentRecord,
    extensionId: string,
    person: { personId: string },
    receipt: ConsentReceiptInput,
  ): Promise<void> {
    const by = personActor(person);
    if (!receipt || !isLang(receipt.language) || typeof receipt.html !== 'string')
      throw new DomainError(
        400,
        INVALID_VALUE,
        'A receipt needs language nb, nn or en and the rendered html.',
      );
    const found = await this.versions.extensionOf(consent, extensionId);
    if (!found) throw extensionNotFound(extensionId);
    if (found.status === 'approved' && found.decidedBy === by) return;
    if (found.status !== 'pending') throw notPending(found);
    await this.stillAllowed(consent, found);
    const text = JSON.parse(JSON.stringify(receipt.text ?? null)) as Prisma.InputJsonValue;

    const approved = await this.step(consent.id, async (tx, row, now) => {
      const next = found.baseVersion + 1;
      const [extended] = await tx.consentRequest.updateManyAndReturn({
        where: { id: row.id, status: 'accepted', validTo: { gt: now }, version: found.baseVersion },
        data: { validTo: found.validTo, version: next, updatedAt: now },
      });
      if (!extended) return null;
      const closed = await tx.consentExtension.updateMany({
        where: { id: found.id, status: 'pending' },
        data: { status: 'approved', openKey: null, version: next, decidedBy: by, decidedAt: now },
      });
      if (closed.count !== 1) return null;
      if (found.baseVersion === 1) await copyFirstVersion(tx, row);
      await tx.consentVersion.create({
        data: {
          consentRequestId: row.id,
          version: next,
          validTo: found.validTo,
          // The terms in force: what was granted (a partial acceptance's declined rights left out).
          consentRights: toRecord(row).grantedRights as unknown as Prisma.InputJsonValue,
          extensionId: found.id,
          acceptedBy: by,
          acceptedAt: now,
          language: receipt.language,
          html: receipt.html,
          text,
          templateId: row.templateId,
          templateVersion: row.templateVersion,
          resourceVersions: row.resourceVersions as Prisma.InputJsonValue,
        },
      });
      // The reminder was for the old validTo: the new one gets its own when it comes near.
      await tx.consentReminder.deleteMany({ where: { consentRequestId: row.id } });
      return {
        consent: extended,
        extensionId: found.id,
        eventType: 'extended',
        performedBy: by,
        actor: { person: person.personId },
        now,
        after: { extensionId: found.id, version: next, previousValidTo: row.validTo, validTo: found.validTo },
      };
    });
    if (!approved) throw await this.refusal(consent.id, found.id);
  }

  /**
   * The extension's terms judged again when the person approves, by the rules as they are now
   * (the resource may be gone, its policy tightened, the consumer taken off its access list since
   * it was asked): approving terms the policy forbids would store a consent the gateway then
   * refuses (GW-00018), so an extension would cut off a consent that worked. 409 CX-00006 names
   * the rule; the consent keeps its current terms and the consumer may cancel and ask again.
   */
  private async stillAllowed(consent: ConsentRecord, found: ConsentExtensionRecord): Promise<void> {
    try {
      await this.rules.checkResources(consent, found.validTo, new Date());
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      throw extensionProblem(
        409,
        ExtensionCodes.noLongerAllowed,
        `The extension ${found.id} can no longer be approved: ${err.detail}`,
        { rule: err.code },
      );
    }
  }

  /** pending → declined / cancelled; doing it again is a no-op; any other state 409 CX-00004. */
  private async close(
    consent: ConsentRecord,
    found: ConsentExtensionRecord,
    to: 'declined' | 'cancelled',
    how: Pick<Step, 'eventType' | 'performedBy' | 'actor'>,
  ): Promise<void> {
    if (found.status === to) return;
    if (found.status !== 'pending') throw notPending(found);
    const done = await this.step(consent.id, async (tx, row, now) => {
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

  /**
   * One step in one transaction: lock the consent row, run `change` (null = nothing to do),
   * then the audit row and the event (with its extension id), and after commit the notifications.
   */
  private async step(
    consentId: string,
    change: (tx: PrismaTx, row: ConsentRequestRow, now: Date) => Promise<Step | null>,
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

  /** Why an approval changed nothing: the consent moved on (CX-00001) or the extension did. */
  private async refusal(consentId: string, extensionId: string | null): Promise<DomainError> {
    const consent = (await this.consents.findById(consentId))!;
    const now = extensionId ? await this.versions.extensionOf(consent, extensionId) : null;
    if (now && now.status !== 'pending' && now.status !== 'lapsed') return notPending(now);
    return extensionProblem(
      400,
      ExtensionCodes.consentNotActive,
      `The consent is ${consent.status}${consent.status === 'accepted' ? ' under newer terms' : ''}; it can no longer be extended by this request.`,
    );
  }

  private async refuseIfPending(consent: ConsentRecord): Promise<void> {
    const pending = (await this.versions.pendingFor([consent])).get(consent.id);
    if (pending)
      throw extensionProblem(
        409,
        ExtensionCodes.alreadyPending,
        `The consent already has a pending extension (${pending.id}); cancel it first, or wait for the person's answer.`,
        { pendingExtensionId: pending.id },
      );
  }
}

function personActor(actor: { personId: string }): string {
  if (!isValidPersonNumber(actor?.personId))
    throw new DomainError(
      400,
      INVALID_VALUE,
      'The acting person must have a valid national identity number.',
    );
  return personUrn(actor.personId);
}

function notPending(e: Pick<ConsentExtensionRecord, 'id' | 'status'>): DomainError {
  return extensionProblem(409, ExtensionCodes.notPending, `The extension ${e.id} is ${e.status}.`);
}

/** Version 1 as the person first accepted it, so every version is a row from now on. */
async function copyFirstVersion(tx: PrismaTx, row: ConsentRequestRow): Promise<void> {
  const receipt = await tx.consentReceipt.findUnique({ where: { consentRequestId: row.id } });
  const record = toRecord(row);
  await tx.consentVersion.create({
    data: {
      consentRequestId: row.id,
      version: 1,
      validTo: row.validTo,
      consentRights: record.grantedRights as unknown as Prisma.InputJsonValue,
      extensionId: null,
      // An accepted consent always has its receipt; the fallbacks only keep a hand-made row valid.
      acceptedBy: receipt?.acceptedBy ?? record.from,
      acceptedAt: receipt?.acceptedAt ?? row.consented ?? row.updatedAt,
      language: receipt?.language ?? 'nb',
      html: receipt?.html ?? '',
      text: receipt?.text ?? {},
      templateId: receipt?.templateId ?? row.templateId,
      templateVersion: receipt?.templateVersion ?? row.templateVersion,
      resourceVersions: (receipt?.resourceVersions ?? row.resourceVersions) as Prisma.InputJsonValue,
    },
  });
}
