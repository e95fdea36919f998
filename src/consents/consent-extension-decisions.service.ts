/**
 * The person's answer to a consent extension (beyond Altinn; docs/consent-lifecycle.md#extending-a-consent),
 * given in the portal: approving gives the consent the new `validTo` and a new version with its
 * own receipt; declining closes the extension. Approving updates the consent only `WHERE status
 * = 'accepted' AND valid_to > now AND version = <the version it was asked against>`, so an
 * approval racing a revocation, an expiry or another approval cannot extend a consent that moved on.
 */
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { Prisma, type ConsentRequest as ConsentRequestRow } from '../generated/prisma/client.js';
import type { PrismaTx } from '../prisma/prisma.service.js';
import { checkedReceipt, personActor } from './consent-decision.input.js';
import { ConsentExtensionRules } from './consent-extension.rules.js';
import {
  ExtensionCodes,
  extensionNotFound,
  extensionProblem,
  notPending,
} from './consent-extension-problems.js';
import type { ConsentExtensionRecord } from './consent-extension.record.js';
import { ConsentExtensionStep } from './consent-extension.step.js';
import type { ConsentReceiptInput, ConsentRecord } from './consent.record.js';
import { toRecord } from './consent.mapper.js';
import { ConsentVersionsService } from './consent-versions.service.js';

@Injectable()
export class ConsentExtensionDecisionsService {
  constructor(
    private readonly versions: ConsentVersionsService,
    private readonly rules: ConsentExtensionRules,
    private readonly step: ConsentExtensionStep,
  ) {}

  /** The person declines (portal; the caller has checked that they may decide on the consent). */
  async decline(consent: ConsentRecord, extensionId: string, person: { personId: string }): Promise<void> {
    const found = await this.versions.extensionOf(consent, extensionId);
    if (!found) throw extensionNotFound(extensionId);
    const by = personActor(person);
    await this.step.close(consent, found, 'declined', {
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
    const receiptColumns = checkedReceipt(receipt);
    const found = await this.versions.extensionOf(consent, extensionId);
    if (!found) throw extensionNotFound(extensionId);
    if (found.status === 'approved' && found.decidedBy === by) return;
    if (found.status !== 'pending') throw notPending(found);
    await this.stillAllowed(consent, found);

    const approved = await this.step.run(consent.id, async (tx, row, now) => {
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
          ...receiptColumns(row, by, now),
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
    if (!approved) throw await this.step.refusal(consent.id, found.id);
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
