import { Module } from '@nestjs/common';
import { OrganizationNamesService } from './organization-names.service.js';
import { OrgRolesController } from './org-roles.controller.js';
import { OwnersController } from './owners.controller.js';
import { OrganizationsController } from './organizations.controller.js';
import { OrganizationsService } from './organizations.service.js';
import { OwnersService } from './owners.service.js';

/** Layer 1: service owners, the organisation register and organisation roles. Depends on common/, prisma and audit only. */
@Module({
  controllers: [OwnersController, OrganizationsController, OrgRolesController],
  providers: [OwnersService, OrganizationsService, OrganizationNamesService],
  exports: [OwnersService, OrganizationsService, OrganizationNamesService],
})
export class OwnersModule {}
