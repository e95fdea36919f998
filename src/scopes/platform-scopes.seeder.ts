import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { parseScopeName, PLATFORM_SCOPES, SCOPE_DESCRIPTIONS } from '../common/auth/scopes.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { PLATFORM_PREFIXES } from './scope-names.js';

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
          description: SCOPE_DESCRIPTIONS[name],
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
