import { Module } from '@nestjs/common';
import { ConsentsModule } from '../consents/consents.module.js';
import { OwnersModule } from '../owners/owners.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { ConsentPagesController } from './consent-pages.controller.js';
import { ConsentPresenterService } from './consent-presenter.service.js';
import { LoginController } from './login.controller.js';
import { OidcLoginService } from './oidc-login.service.js';
import { PortalAccessService } from './portal-access.service.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { PortalPagesService } from './portal-pages.service.js';
import { PortalSessionsService } from './portal-sessions.service.js';
import { PortalViews } from './portal-views.js';

/**
 * Layer 4: the end-user portal (DESIGN §4.8) — server-rendered pages, sessions, login.
 * Reads consents (layer 3), resources and templates (layer 2) and org roles (layer 1) through
 * their exported services; owns only the `portal_sessions` table.
 */
@Module({
  imports: [ConsentsModule, ResourcesModule, OwnersModule],
  controllers: [ConsentPagesController, LoginController],
  providers: [
    PortalViews,
    PortalPagesService,
    PortalSessionsService,
    PortalAccessService,
    ConsentPresenterService,
    OidcLoginService,
    PortalErrorFilter,
  ],
  // The admin login (/authorize) uses the portal's login session as its user step.
  exports: [PortalSessionsService],
})
export class PortalModule {}
