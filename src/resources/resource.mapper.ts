import type { Resource, ResourceVersion } from '../generated/prisma/client.js';
import type { ConsentResourceView } from './consent-resource.view.js';
import type { ResourceDto } from './dto/resource.dto.js';
import type { StoredResourceBody } from './resource-validator.js';

export function bodyOf(version: ResourceVersion): StoredResourceBody {
  return version.body as unknown as StoredResourceBody;
}

/** HTTP shape: the stored body plus version and timestamps (as Altinn's resource, plus versions). */
export function toResourceDto(resource: Resource, version: ResourceVersion): ResourceDto {
  const body = bodyOf(version);
  return {
    ...body,
    versionId: version.versionId,
    version: version.seq,
    createdAt: resource.createdAt.toISOString(),
    updatedAt: version.createdAt.toISOString(),
    ...(resource.deletedAt ? { deletedAt: resource.deletedAt.toISOString() } : {}),
  };
}

/** The flattened view other contexts code against. */
export function toConsentResourceView(resource: Resource, version: ResourceVersion): ConsentResourceView {
  const b = bodyOf(version);
  return {
    identifier: resource.identifier,
    versionId: version.versionId,
    version: version.seq,
    ownerOrgcode: resource.ownerOrgcode,
    ownerOrgNumber: resource.ownerOrgNumber,
    title: { ...b.title },
    ...(b.description ? { description: { ...b.description } } : {}),
    consentText: { ...b.consentText },
    consentMetadata: Object.fromEntries(
      Object.entries(b.consentMetadata).map(([k, v]) => [k, { optional: v.optional }]),
    ),
    consentTemplate: b.consentTemplate,
    isOneTimeConsent: b.isOneTimeConsent,
    accessListMode: b.accessListMode,
    consentRoles: [...b.consentRoles],
    scopes: [
      ...new Set(
        b.resourceReferences.filter((r) => r.referenceType === 'MaskinportenScope').map((r) => r.reference),
      ),
    ],
    availableForType: [...b.availableForType],
    contactPoints: b.contactPoints.map((c) => ({ ...c })),
    delegable: b.delegable,
  };
}
