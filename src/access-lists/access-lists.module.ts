import { Module } from '@nestjs/common';
import { OwnersModule } from '../owners/owners.module.js';
import { AccessListChanges } from './access-list-changes.js';
import { AccessListCheckService } from './access-list-check.service.js';
import { AccessListConnectionsController } from './access-list-connections.controller.js';
import { AccessListConnectionsService } from './access-list-connections.service.js';
import { AccessListMembersController } from './access-list-members.controller.js';
import { AccessListMembersService } from './access-list-members.service.js';
import { AccessListOwnerGate } from './access-list-owner.gate.js';
import { AccessListsController } from './access-lists.controller.js';
import { AccessListsRepository } from './access-lists.repository.js';
import { AccessListsService } from './access-lists.service.js';

/**
 * Access lists (issue #6). Exports AccessListsService (`isAllowed` for consents and the gateway),
 * AccessListCheckService (the same check, plus cache control), AccessListMembersService
 * (`addMembersInTransaction`) and AccessListConnectionsService (`ensureConnectedInTransaction`)
 * for access-request approval.
 */
@Module({
  imports: [OwnersModule],
  controllers: [AccessListsController, AccessListMembersController, AccessListConnectionsController],
  providers: [
    AccessListsRepository,
    AccessListOwnerGate,
    AccessListChanges,
    AccessListCheckService,
    AccessListsService,
    AccessListMembersService,
    AccessListConnectionsService,
  ],
  exports: [
    AccessListsService,
    AccessListCheckService,
    AccessListMembersService,
    AccessListConnectionsService,
  ],
})
export class AccessListsModule {}
