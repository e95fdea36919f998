import { Module } from '@nestjs/common';
import { OwnersModule } from '../owners/owners.module.js';
import { ScopesModule } from '../scopes/scopes.module.js';
import { ResourcePoliciesController } from './resource-policies.controller.js';
import { ResourcePoliciesService } from './resource-policies.service.js';
import { ResourceWritesService } from './resource-writes.service.js';
import { ResourcesController } from './resources.controller.js';
import { ResourcesRepository } from './resources.repository.js';
import { ResourcesService } from './resources.service.js';
import { TemplatesController } from './templates.controller.js';
import { TemplatesService } from './templates.service.js';

/**
 * Layer 2: consent resources and consent templates. Uses owners and scopes (layer 1: who owns a
 * scope a resource names), audit and the ChangeBus.
 */
@Module({
  imports: [OwnersModule, ScopesModule],
  controllers: [ResourcesController, ResourcePoliciesController, TemplatesController],
  providers: [
    ResourcesService,
    ResourceWritesService,
    ResourcesRepository,
    ResourcePoliciesService,
    TemplatesService,
  ],
  exports: [ResourcesService, ResourcePoliciesService, TemplatesService],
})
export class ResourcesModule {}
