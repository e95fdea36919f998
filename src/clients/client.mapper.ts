import type { Client } from '../generated/prisma/client.js';
import type { ClientResponseDto } from './dto/client.dto.js';

export function toClientResponse(row: Client): ClientResponseDto {
  return {
    client_id: row.clientId,
    client_name: row.clientName,
    description: row.description,
    scopes: [...row.scopes],
    integration_type: row.integrationType,
    token_endpoint_auth_method: row.tokenEndpointAuthMethod,
    client_orgno: row.orgNumber,
    created: row.createdAt.toISOString(),
    last_updated: row.updatedAt.toISOString(),
    active: row.active,
  };
}
