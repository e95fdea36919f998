/** Extension and version records → their wire DTOs (beyond Altinn). */
import type { ConsentExtensionRecord, ConsentVersionRecord } from './consent-extension.record.js';
import type { ConsentRecord } from './consent.record.js';
import type { ConsentExtensionDto, ConsentVersionsDto } from './dto/consent-extension.dto.js';

export function toExtensionDto(e: ConsentExtensionRecord): ConsentExtensionDto {
  return {
    id: e.id,
    consentRequestId: e.consentRequestId,
    status: e.status,
    validTo: e.validTo.toISOString(),
    previousValidTo: e.previousValidTo.toISOString(),
    baseVersion: e.baseVersion,
    requestedBy: e.requestedBy,
    created: e.createdAt.toISOString(),
    decidedBy: e.decidedBy,
    decided: e.decidedAt?.toISOString() ?? null,
    version: e.version,
  };
}

export function toVersionsDto(consent: ConsentRecord, versions: ConsentVersionRecord[]): ConsentVersionsDto {
  return {
    consentRequestId: consent.id,
    currentVersion: consent.version,
    versions: versions.map((v) => ({
      version: v.version,
      validTo: v.validTo.toISOString(),
      consentRights: v.consentRights,
      acceptedBy: v.acceptedBy,
      accepted: v.acceptedAt.toISOString(),
      extensionId: v.extensionId,
    })),
  };
}
