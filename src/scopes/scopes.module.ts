import { Module } from '@nestjs/common';
import { PlatformScopesSeeder } from './platform-scopes.seeder.js';
import { ScopeAccessController } from './scope-access.controller.js';
import { ScopeDelegationsController } from './scope-delegations.controller.js';
import { ScopeDelegationsService } from './scope-delegations.service.js';
import { ScopeGrantsService } from './scope-grants.service.js';
import { ScopeRegistryService } from './scope-registry.service.js';
import { ScopesController } from './scopes.controller.js';
import { ScopesService } from './scopes.service.js';

/**
 * Maskinporten-style scope registry (DESIGN §4.4): scopes, prefixes, grants, delegations, and
 * the platform scopes seeded at start. Other contexts use ScopesService only.
 */
@Module({
  controllers: [ScopesController, ScopeAccessController, ScopeDelegationsController],
  providers: [
    ScopesService,
    ScopeRegistryService,
    ScopeGrantsService,
    ScopeDelegationsService,
    PlatformScopesSeeder,
  ],
  exports: [ScopesService],
})
export class ScopesModule {}
