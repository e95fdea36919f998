import type { JsonWebKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';

export interface ActiveClient {
  clientId: string;
  orgNumber: string;
  clientName: string;
  scopes: string[];
  active: boolean;
  keys: { kid: string; jwk: JsonWebKey & { kid: string } }[];
}

/**
 * What other contexts ask of the client registry (the token endpoint). Not cached here: the
 * registry publishes `ChangeBus` topic `client` (id = client id) after every change, so a
 * caller that caches can invalidate.
 */
@Injectable()
export class ClientsService {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The client with its public keys (sorted by kid), or null when it does not exist or is
   * inactive — fail closed, so `active` is always true in a returned value.
   */
  async findActiveClient(clientId: string): Promise<ActiveClient | null> {
    if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > 100) return null;
    const row = await this.prisma.client.findUnique({
      where: { clientId },
      include: { keys: { orderBy: { kid: 'asc' } } },
    });
    if (!row || !row.active) return null;
    return {
      clientId: row.clientId,
      orgNumber: row.orgNumber,
      clientName: row.clientName,
      scopes: [...row.scopes],
      active: row.active,
      keys: row.keys.map((k) => ({ kid: k.kid, jwk: k.jwk as unknown as JsonWebKey & { kid: string } })),
    };
  }

  /** `client_name` of each of these clients (one query), for pages that say "via <client>". */
  async namesOf(clientIds: string[]): Promise<Map<string, string>> {
    if (!clientIds.length) return new Map();
    const rows = await this.prisma.client.findMany({
      where: { clientId: { in: [...new Set(clientIds)] } },
      select: { clientId: true, clientName: true },
    });
    return new Map(rows.map((r) => [r.clientId, r.clientName]));
  }
}
