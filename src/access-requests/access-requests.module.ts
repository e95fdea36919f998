import { Module } from '@nestjs/common';
import { OwnersModule } from '../owners/owners.module.js';
import { AccessRequestNames } from './access-request-names.js';
import { AccessListsModule } from '../access-lists/access-lists.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { ScopesModule } from '../scopes/scopes.module.js';
import { AccessListPlacement } from './access-list-placement.js';
import { AccessRequestDecisionsService } from './access-request-decisions.service.js';
import { AccessRequestsController } from './access-requests.controller.js';
import { AccessRequestsRepository } from './access-requests.repository.js';
import { AccessRequestsService } from './access-requests.service.js';

/**
 * Layer 3: access requests (issue #12). Uses resources, scopes and access lists (layer 2)
 * through their exported services. Its changes go through ChangeLogService (topic
 * `access-request`), where webhooks (layer 4) registers its outbox; exports AccessRequestsService
 * for the portal or guide.
 */
@Module({
  imports: [ResourcesModule, ScopesModule, AccessListsModule, OwnersModule],
  controllers: [AccessRequestsController],
  providers: [
    AccessRequestsService,
    AccessRequestDecisionsService,
    AccessRequestsRepository,
    AccessListPlacement,
    AccessRequestNames,
  ],
  exports: [AccessRequestsService],
})
export class AccessRequestsModule {}
