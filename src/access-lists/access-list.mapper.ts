/** Response DTOs from rows (explicit, so a schema change never leaks a column to clients). */
import { ORGANIZATION_URN_PREFIX } from '../common/identifiers/party-urn.js';
import type { AccessListInfoDto, AccessListResourceConnectionDto } from './dto/access-list.dto.js';
import type { AccessListMemberDto } from './dto/members.dto.js';
import type { AccessListRow, ConnectionRow, MemberRow } from './access-lists.repository.js';

export function accessListUrn(owner: string, identifier: string): string {
  return `urn:altinn:access-list:${owner}:${identifier}`;
}

/** `withActions: false` mirrors Altinn's `include=resources`: connections without their filters. */
export function toConnectionDto(row: ConnectionRow, withActions = true): AccessListResourceConnectionDto {
  const dto: AccessListResourceConnectionDto = {
    resourceIdentifier: row.resourceIdentifier,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
  // Altinn answers null for "every action" (an empty filter list).
  if (withActions) dto.actionFilters = row.actionFilters?.length ? [...row.actionFilters] : null;
  return dto;
}

export function toAccessListDto(
  row: AccessListRow,
  connections?: ConnectionRow[],
  withActions = true,
): AccessListInfoDto {
  const dto: AccessListInfoDto = {
    urn: accessListUrn(row.owner, row.identifier),
    identifier: row.identifier,
    name: row.name,
    description: row.description,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
  if (connections) dto.resourceConnections = connections.map((c) => toConnectionDto(c, withActions));
  return dto;
}

export function toMemberDto(row: MemberRow): AccessListMemberDto {
  return {
    id: ORGANIZATION_URN_PREFIX + row.orgNumber,
    since: row.since.toISOString(),
    identifiers: { 'urn:altinn:organization:identifier-no': row.orgNumber },
  };
}
