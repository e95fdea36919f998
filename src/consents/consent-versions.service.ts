/**
 * Reads of a consent's extensions and versions (beyond Altinn), for the consumer and owner API,
 * the portal, the person's export and the gateway. Writes are in ConsentExtensionsService, ConsentExtensionDecisionsService and ConsentExtensionStep.
 *
 * A consent that was never extended has no `consent_versions` rows: its one version is the
 * consent itself with its receipt. The first approved extension copies version 1 into the table,
 * so from then on every version, with its own receipt, is a row.
 */
import { Injectable } from '@nestjs/common';
import { isUuid } from '../common/identifiers/uuid.js';
import type {
  ConsentExtension as ConsentExtensionRow,
  ConsentVersion as ConsentVersionRow,
} from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type {
  ConsentExtensionRecord,
  ConsentExtensionStatus,
  ConsentVersionRecord,
  VersionTerms,
} from './consent-extension.record.js';
import { orgUrn } from '../common/identifiers/party-urn.js';
import type { ConsentReceipt, ConsentRecord, ConsentRight } from './consent.record.js';
import { toReceipt } from './consent.mapper.js';

/** A pending extension lapses when the consent it would extend can no longer be extended by it. */
export function extensionStatus(
  row: Pick<ConsentExtensionRow, 'status' | 'baseVersion'>,
  consent: Pick<ConsentRecord, 'status' | 'version'>,
): ConsentExtensionStatus {
  if (row.status !== 'pending') return row.status as ConsentExtensionStatus;
  return consent.status === 'accepted' && consent.version === row.baseVersion ? 'pending' : 'lapsed';
}

export function toExtensionRecord(
  row: ConsentExtensionRow,
  consent: Pick<ConsentRecord, 'status' | 'version'>,
): ConsentExtensionRecord {
  return {
    id: row.id,
    consentRequestId: row.consentRequestId,
    status: extensionStatus(row, consent),
    baseVersion: row.baseVersion,
    previousValidTo: row.previousValidTo,
    validTo: row.validTo,
    requestedBy: orgUrn(row.requestedBy),
    createdAt: row.createdAt,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt,
    version: row.version,
  };
}

function toVersionRecord(row: ConsentVersionRow): ConsentVersionRecord {
  return {
    version: row.version,
    validTo: row.validTo,
    consentRights: row.consentRights as unknown as ConsentRight[],
    acceptedBy: row.acceptedBy,
    acceptedAt: row.acceptedAt,
    extensionId: row.extensionId,
  };
}

@Injectable()
export class ConsentVersionsService {
  constructor(private readonly prisma: PrismaService) {}

  /** The consent's extensions, newest first. */
  async extensionsOf(consent: ConsentRecord): Promise<ConsentExtensionRecord[]> {
    const rows = await this.prisma.consentExtension.findMany({
      where: { consentRequestId: consent.id },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
    return rows.map((r) => toExtensionRecord(r, consent));
  }

  /** One extension of this consent, or null (also for an id of another consent's extension). */
  async extensionOf(consent: ConsentRecord, extensionId: string): Promise<ConsentExtensionRecord | null> {
    if (!isUuid(extensionId)) return null;
    const row = await this.prisma.consentExtension.findUnique({ where: { id: extensionId.toLowerCase() } });
    return row && row.consentRequestId === consent.id ? toExtensionRecord(row, consent) : null;
  }

  /** The pending extension of each of these consents that has one (one query for a page). */
  async pendingFor(consents: ConsentRecord[]): Promise<Map<string, ConsentExtensionRecord>> {
    const byId = new Map(consents.filter((c) => c.status === 'accepted').map((c) => [c.id, c]));
    if (!byId.size) return new Map();
    const rows = await this.prisma.consentExtension.findMany({
      where: { openKey: { in: [...byId.keys()] } },
    });
    const out = new Map<string, ConsentExtensionRecord>();
    for (const row of rows) {
      const record = toExtensionRecord(row, byId.get(row.consentRequestId)!);
      if (record.status === 'pending') out.set(row.consentRequestId, record);
    }
    return out;
  }

  /** Every version, oldest first; empty for a consent that was never accepted. */
  async versionsOf(consent: ConsentRecord): Promise<ConsentVersionRecord[]> {
    return (await this.versionsOfMany([consent])).get(consent.id) ?? [];
  }

  /** `versionsOf` for many consents in two queries (the person's export). */
  async versionsOfMany(consents: ConsentRecord[]): Promise<Map<string, ConsentVersionRecord[]>> {
    const ids = consents.map((c) => c.id);
    const out = new Map<string, ConsentVersionRecord[]>(ids.map((id) => [id, []]));
    if (!ids.length) return out;
    const [rows, receipts] = await Promise.all([
      this.prisma.consentVersion.findMany({
        where: { consentRequestId: { in: ids } },
        orderBy: [{ consentRequestId: 'asc' }, { version: 'asc' }],
      }),
      this.prisma.consentReceipt.findMany({
        where: { consentRequestId: { in: consents.filter((c) => c.version === 1).map((c) => c.id) } },
        select: { consentRequestId: true, acceptedBy: true, acceptedAt: true },
      }),
    ]);
    for (const row of rows) out.get(row.consentRequestId)?.push(toVersionRecord(row));
    // Never extended: the consent itself is version 1.
    const receiptOf = new Map(receipts.map((r) => [r.consentRequestId, r]));
    for (const consent of consents) {
      const receipt = receiptOf.get(consent.id);
      if (out.get(consent.id)?.length || !receipt) continue;
      out.set(consent.id, [
        {
          version: 1,
          validTo: consent.validTo,
          consentRights: consent.consentRights,
          acceptedBy: receipt.acceptedBy,
          acceptedAt: receipt.acceptedAt,
          extensionId: null,
        },
      ]);
    }
    return out;
  }

  /**
   * The receipt of one version (the consent's current one when `version` is omitted): version 1
   * is the receipt stored when the consent was accepted, later ones were stored on approval.
   */
  async receiptOf(consent: ConsentRecord, version?: number): Promise<ConsentReceipt | null> {
    const wanted = version ?? consent.version;
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > consent.version) return null;
    if (wanted > 1 || consent.version > 1) {
      const row = await this.prisma.consentVersion.findUnique({
        where: { consentRequestId_version: { consentRequestId: consent.id, version: wanted } },
      });
      if (row)
        return {
          language: row.language,
          html: row.html,
          text: row.text,
          templateId: row.templateId,
          templateVersion: row.templateVersion,
          resourceVersions: row.resourceVersions as Record<string, string>,
          acceptedBy: row.acceptedBy,
          acceptedAt: row.acceptedAt,
          version: row.version,
          validTo: row.validTo,
        };
      if (wanted > 1) return null;
    }
    const r = await this.prisma.consentReceipt.findUnique({ where: { consentRequestId: consent.id } });
    return r ? { ...toReceipt(r), version: 1, validTo: consent.validTo } : null;
  }

  /**
   * The terms of every version up to the current one, oldest first (none for a consent never
   * extended): a token minted under an earlier one is still within the consent, since an
   * extension only widens; the current one's acceptance is when its terms were set.
   */
  async versionTerms(consent: ConsentRecord): Promise<VersionTerms[]> {
    if (consent.version <= 1) return [];
    const rows = await this.prisma.consentVersion.findMany({
      where: { consentRequestId: consent.id, version: { lte: consent.version } },
      select: { version: true, validTo: true, consentRights: true, acceptedAt: true },
      orderBy: { version: 'asc' },
    });
    return rows.map((r) => ({
      version: r.version,
      validTo: r.validTo,
      consentRights: r.consentRights as unknown as ConsentRight[],
      acceptedAt: r.acceptedAt,
    }));
  }
}
