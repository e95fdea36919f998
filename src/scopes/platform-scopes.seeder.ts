import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { parseScopeName, PLATFORM_SCOPES, Scopes, type PlatformScope } from '../common/auth/scopes.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { PLATFORM_PREFIXES } from './scope-names.js';

const DESCRIPTIONS: Record<PlatformScope, string> = {
  [Scopes.resourceRead]: 'Read the caller’s consent resources, templates and protected APIs.',
  [Scopes.resourceWrite]: 'Manage the caller’s consent resources and protected APIs.',
  [Scopes.accessListRead]: 'Read the caller’s access lists.',
  [Scopes.accessListWrite]: 'Manage the caller’s access lists.',
  [Scopes.scopesRead]: 'Read the caller’s scopes, grants and delegations.',
  [Scopes.scopesWrite]: 'Manage the caller’s scopes, grants and delegations.',
  [Scopes.dcrRead]: 'Read the caller’s clients and their public keys.',
  [Scopes.dcrWrite]: 'Manage the caller’s clients and their public keys.',
  [Scopes.consentRequestsRead]: 'Read consent requests sent by the caller, the events feed and webhooks.',
  [Scopes.consentRequestsWrite]: 'Create and cancel consent requests.',
  [Scopes.consentRequestsOrg]:
    'Create consent requests whose `to` differs from the caller (granted sparingly, to trusted intermediaries).',
  [Scopes.consentLookup]:
    'Look up consents for an external token issuer (granted sparingly, to the issuer operator only).',
  [Scopes.admin]:
    'Platform operator: service owners, organisation roles, platform scope grants; all else read-only.',
};

/**
 * Seeds the platform scopes and reserves the platform prefixes (owner NULL) at every start.
 * Insert-only (`ON CONFLICT DO NOTHING`), so replicas starting together and restarts are safe,
 * and a scope added to `Scopes` in a later release appears on the next start.
 */
@Injectable()
export class PlatformScopesSeeder implements OnModuleInit {
  private readonly logger = new Logger(PlatformScopesSeeder.name);

  constructor(private readonly prisma: PrismaService) {}

  async onModuleInit(): Promise<void> {
    const prefixes = await this.prisma.scopePrefix.createMany({
      data: PLATFORM_PREFIXES.map((prefix) => ({ prefix, ownerOrgNumber: null })),
      skipDuplicates: true,
    });
    const scopes = await this.prisma.scope.createMany({
      data: PLATFORM_SCOPES.map((name) => {
        const parts = parseScopeName(name);
        if (!parts) throw new Error(`platform scope ${name} does not follow the scope grammar`);
        return {
          name,
          ...parts,
          ownerOrgNumber: null,
          description: DESCRIPTIONS[name],
          allowedIntegrationTypes: ['maskinporten'],
          tokenType: 'SELF_CONTAINED',
          active: true,
        };
      }),
      skipDuplicates: true,
    });
    if (prefixes.count || scopes.count)
      this.logger.log(`seeded ${scopes.count} platform scope(s) and ${prefixes.count} platform prefix(es)`);
  }
}
