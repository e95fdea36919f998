import { Module } from '@nestjs/common';
import { OwnersModule } from '../owners/owners.module.js';
import { PortalModule } from '../portal/portal.module.js';
import { AdminLoginPages } from './admin-login-pages.js';
import { AuthorizeController } from './authorize.controller.js';

/**
 * Layer 5: the admin login (issue 20), `/authorize`. Composes the portal's login session
 * (layer 4), the org-roles register and names (layer 1) and the issuer's authorization codes
 * (tokens, layer 4, global); `/token` redeems the codes.
 */
@Module({
  imports: [PortalModule, OwnersModule],
  controllers: [AuthorizeController],
  providers: [AdminLoginPages],
})
export class AdminLoginModule {}
