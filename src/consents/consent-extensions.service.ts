/**
 * Extending a consent without a new one (beyond Altinn; docs/consent-lifecycle.md#extending-a-consent):
 * the consumer asks for a later `validTo`, the person approves or declines in the portal, and
 * on approval the consent keeps its id and gains a new version with its own receipt. This
 * service holds the consumer's side (ask, cancel, read); the person's answer is in
 * ConsentExtensionDecisionsService, and each step's transaction in ConsentExtensionStep.
 *
 * Races are settled by conditional writes, as in ConsentsService: one pending extension per
 * consent is the unique `open_key`, and every step changes the consent or the extension only
 * from the state it was read in.
 */
import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal.js';
import { orgUrn } from '../common/identifiers/party-urn.js';
import { uuidv7 } from '../common/identifiers/uuid.js';
import { Prisma } from '../generated/prisma/client.js';
import { ResourcesService } from '../resources/resources.service.js';
import { ConsentExtensionRules, parseExtensionBody } from './consent-extension.rules.js';
import { ExtensionCodes, extensionNotFound, extensionProblem } from './consent-extension-problems.js';
import type { ConsentExtensionRecord } from './consent-extension.record.js';
import { ConsentExtensionStep } from './consent-extension.step.js';
import { notAuthorized, problem, validationError } from './consent-problems.js';
import type { ConsentRecord } from './consent.record.js';
import { ConsentsService } from './consents.service.js';
import { ConsentVersionsService } from './consent-versions.service.js';

@Injectable()
export class ConsentExtensionsService {
  constructor(
    private readonly consents: ConsentsService,
    private readonly versions: ConsentVersionsService,
    private readonly resources: ResourcesService,
    private readonly rules: ConsentExtensionRules,
    private readonly step: ConsentExtensionStep,
  ) {}

  /** The consent, when the caller is its consumer (`to`) or `handledBy`: 404 / 403 otherwise. */
  async consentForConsumer(principal: Principal, id: string): Promise<ConsentRecord> {
    return this.consents.findForConsumer(principal, id);
  }

  /**
   * The consent, for reading its versions: its consumer (`to`, `handledBy`), or the owner of one
   * of its resources (by the resource version it was given under). 404 / 403 otherwise.
   */
  async consentForReader(principal: Principal, id: string): Promise<ConsentRecord> {
    return this.consents.findForReader(principal, id, () =>
      notAuthorized(
        'The caller is neither the consumer (`to`, `handledBy`) nor the owner of one of its resources.',
      ),
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
      done = await this.step.run(consent.id, async (tx, row) => {
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
    if (!done) throw await this.step.refusal(consent.id, null);
    return (await this.versions.extensionOf((await this.consents.findById(consent.id))!, extensionId))!;
  }

  /** POST …/{id}/extensions/{extensionId}/cancel: the consumer withdraws its pending extension. */
  async cancel(principal: Principal, id: string, extensionId: string): Promise<ConsentExtensionRecord> {
    const consent = await this.consentForConsumer(principal, id);
    const found = await this.versions.extensionOf(consent, extensionId);
    if (!found) throw extensionNotFound(extensionId);
    const by = principal.consumer;
    await this.step.close(consent, found, 'cancelled', {
      eventType: 'extension_cancelled',
      performedBy: orgUrn(by),
      actor: { org: by, client: principal.clientId ?? null },
    });
    return (await this.versions.extensionOf((await this.consents.findById(consent.id))!, found.id))!;
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
