/** Response DTOs from rows (explicit, so a new column never leaks to clients). */
import type { AccessRequest } from '../generated/prisma/client.js';
import type { ConsentResourceView } from '../resources/consent-resource.view.js';
import type { AccessRequestStatus } from './access-request.status.js';
import type { AccessRequestDto, ContactPointViewDto } from './dto/access-request.dto.js';

export function toContactPoints(resource: ConsentResourceView | null): ContactPointViewDto[] {
  return (resource?.contactPoints ?? []).map((c) => {
    const out: ContactPointViewDto = {};
    if (c.category !== undefined) out.category = c.category;
    if (c.email !== undefined) out.email = c.email;
    if (c.telephone !== undefined) out.telephone = c.telephone;
    if (c.contactPage !== undefined) out.contactPage = c.contactPage;
    return out;
  });
}

/**
 * `accessList` is the list's identifier (what the owner named when approving), looked up by the
 * caller from `access_list_id`; null before approval or when approved without a list.
 */
export function toAccessRequestDto(
  row: AccessRequest,
  accessList: string | null,
  contactPoints: ContactPointViewDto[],
): AccessRequestDto {
  return {
    id: row.id,
    resource: row.resourceIdentifier,
    consumerOrgNumber: row.consumerOrgNumber,
    ownerOrgNumber: row.ownerOrgNumber,
    scopes: [...(row.scopes ?? [])],
    message: row.message,
    status: row.status as AccessRequestStatus,
    reason: row.reason,
    accessList,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    contactPoints,
  };
}

/** While pending, `consumer:resource`; the unique index then allows one open request per pair. */
export function openKeyOf(consumerOrgNumber: string, resource: string): string {
  return `${consumerOrgNumber}:${resource}`;
}

/** What an audit row keeps (the contact points are the resource's, not the request's). */
export function toAuditView(dto: AccessRequestDto): Omit<AccessRequestDto, 'contactPoints'> {
  const { contactPoints: _ignored, ...rest } = dto;
  return rest;
}

/** Whether the caller's org is the request's consumer or the resource's owner. */
export function isParty(row: AccessRequest, principal: { consumer: string }): boolean {
  return row.consumerOrgNumber === principal.consumer || row.ownerOrgNumber === principal.consumer;
}
