import { Module } from '@nestjs/common';
import { OrganizationNamesService } from './organization-names.service.js';
import { OrgRolesController } from './org-roles.controller.js';
import { OwnersController } from './owners.controller.js';
import { OwnersService } from './owners.service.js';

/** Layer 1: service owners and organisation roles. Depends on common/, prisma and audit only. */
@Module({
  controllers: [OwnersController, OrgRolesController],
  providers: [OwnersService, OrganizationNamesService],
  exports: [OwnersService, OrganizationNamesService],
})
export class OwnersModule {}
