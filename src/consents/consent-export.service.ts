/**
 * Builds the person's own export (consent-export.record.ts). Reads only: the person's consents
 * (as data subject), their events, receipts and the gateway's usage counters for them. The
 * usage table holds per-minute buckets; they are summed per UTC day here.
 */
import { Injectable } from '@nestjs/common';
import { personUrn } from '../common/identifiers/party-urn.js';
import { isValidPersonNumber } from '../common/identifiers/person-number.js';
import { PrismaService } from '../prisma/prisma.service.js';
import {
  PERSON_EXPORT_FORMAT,
  PERSON_EXPORT_VERSION,
  type ExportedConsent,
  type PersonExport,
} from './consent-export.record.js';
import { ConsentEventsService } from './consent-events.service.js';
import { toRecord } from './consent.mapper.js';
import { rightsWithOutcome } from './consent-partial-acceptance.js';

/** The most consents one export holds (the portal's own list stops at 1000 too). */
export const EXPORT_MAX_CONSENTS = 1000;

@Injectable()
export class ConsentExportService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly events: ConsentEventsService,
  ) {}

  async exportFor(personId: string, now = new Date()): Promise<PersonExport> {
    if (!isValidPersonNumber(personId)) throw new Error('exportFor needs a valid national identity number');
    const subject = personUrn(personId);
    const rows = await this.prisma.consentRequest.findMany({
      where: { fromParty: subject },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: EXPORT_MAX_CONSENTS,
    });
    const ids = rows.map((r) => r.id);
    const [history, receipts, versionRows, usage] = await Promise.all([
      this.events.forRequests(ids),
      this.prisma.consentReceipt.findMany({ where: { consentRequestId: { in: ids } } }),
      this.prisma.consentVersion.findMany({
        where: { consentRequestId: { in: ids } },
        orderBy: [{ consentRequestId: 'asc' }, { version: 'asc' }],
      }),
      this.prisma.gatewayUsage.findMany({
        where: { consentId: { in: ids } },
        orderBy: [{ bucket: 'asc' }, { apiName: 'asc' }, { outcome: 'asc' }],
      }),
    ]);
    const receiptOf = new Map(receipts.map((r) => [r.consentRequestId, r]));
    const versionsOf = new Map<string, ExportedConsent['versions']>();
    for (const v of versionRows) {
      const list = versionsOf.get(v.consentRequestId) ?? [];
      versionsOf.set(v.consentRequestId, list);
      list.push({
        version: v.version,
        validTo: v.validTo.toISOString(),
        consentRights: v.consentRights as unknown[],
        acceptedBy: v.acceptedBy,
        acceptedAt: v.acceptedAt.toISOString(),
        extensionId: v.extensionId,
        receipt: { language: v.language, text: v.text, html: v.html },
      });
    }
    const usageOf = new Map<string, Map<string, ExportedConsent['usage'][number]>>();
    for (const u of usage) {
      const day = u.bucket.toISOString().slice(0, 10);
      const perConsent = usageOf.get(u.consentId) ?? new Map<string, ExportedConsent['usage'][number]>();
      usageOf.set(u.consentId, perConsent);
      const key = `${day}|${u.apiName}|${u.outcome}`;
      const entry = perConsent.get(key) ?? { day, api: u.apiName, outcome: u.outcome, calls: 0 };
      entry.calls += Number(u.count);
      perConsent.set(key, entry);
    }

    const consents: ExportedConsent[] = rows.map((row) => {
      const record = toRecord(row, now);
      const receipt = receiptOf.get(row.id);
      return {
        id: record.id,
        from: record.from,
        to: record.to,
        handledBy: record.handledBy,
        requiredDelegator: record.requiredDelegator,
        status: record.status,
        createdAt: record.createdAt.toISOString(),
        validTo: record.validTo.toISOString(),
        consented: record.consented?.toISOString() ?? null,
        // A partial acceptance (beyond Altinn) marks each right `required` / `accepted`.
        consentRights: record.partialAcceptance
          ? rightsWithOutcome(record.consentRights, record.partialAcceptance)
          : record.consentRights,
        requestMessage: record.requestMessage,
        resources: Object.entries(record.resourceVersions).map(([identifier, versionId]) => ({
          identifier,
          versionId,
        })),
        template: { id: record.templateId, version: record.templateVersion },
        events: (history.get(row.id) ?? []).map((e) => ({
          id: e.id,
          type: e.eventType,
          time: e.createdAt.toISOString(),
          performedBy: e.performedBy,
          reason: e.reason,
        })),
        receipt: receipt
          ? {
              language: receipt.language,
              acceptedBy: receipt.acceptedBy,
              acceptedAt: receipt.acceptedAt.toISOString(),
              templateId: receipt.templateId,
              templateVersion: receipt.templateVersion,
              resourceVersions: receipt.resourceVersions as Record<string, string>,
              text: receipt.text,
              html: receipt.html,
            }
          : null,
        version: record.version,
        // Never extended: the consent itself (with its receipt) is its one version.
        versions:
          versionsOf.get(row.id) ??
          (receipt
            ? [
                {
                  version: 1,
                  validTo: record.validTo.toISOString(),
                  consentRights: record.consentRights,
                  acceptedBy: receipt.acceptedBy,
                  acceptedAt: receipt.acceptedAt.toISOString(),
                  extensionId: null,
                  receipt: { language: receipt.language, text: receipt.text, html: receipt.html },
                },
              ]
            : []),
        usage: [...(usageOf.get(row.id)?.values() ?? [])],
      };
    });
    return {
      format: PERSON_EXPORT_FORMAT,
      formatVersion: PERSON_EXPORT_VERSION,
      generatedAt: now.toISOString(),
      subject,
      consents,
    };
  }
}
