import { Module } from '@nestjs/common';
import { ScopesModule } from '../scopes/scopes.module.js';
import { ClientRegistryService } from './client-registry.service.js';
import { ClientsController } from './clients.controller.js';
import { ClientsService } from './clients.service.js';

/**
 * Maskinporten-style client registry (DESIGN §4.4, §10). Depends on the scope registry (same
 * layer, one direction only: scopes never imports clients) to check that client scopes exist.
 */
@Module({
  imports: [ScopesModule],
  controllers: [ClientsController],
  providers: [ClientsService, ClientRegistryService],
  exports: [ClientsService],
})
export class ClientsModule {}
