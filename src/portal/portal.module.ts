import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { ClientsModule } from '../clients/clients.module.js';
import { ConsentsModule } from '../consents/consents.module.js';
import { OwnersModule } from '../owners/owners.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { ConsentExportController } from './consent-export.controller.js';
import { ConsentExtensionController } from './consent-extension.controller.js';
import { ConsentPagesController } from './consent-pages.controller.js';
import { ConsentCardsService } from './consent-cards.service.js';
import { ConsentNotices } from './consent-notices.js';
import { ConsentPresenterService } from './consent-presenter.service.js';
import { ConsentReceiptController } from './consent-receipt.controller.js';
import { ConsentReceiptsService } from './consent-receipts.service.js';
import { PortalVisitsService } from './portal-visits.service.js';
import { LoginController } from './login.controller.js';
import { PortalAssets } from './portal-assets.js';
import { PortalAssetsController } from './portal-assets.controller.js';
import { PortalInfoController } from './portal-info.controller.js';
import { OidcLoginService } from './oidc-login.service.js';
import { PortalAccessService } from './portal-access.service.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { PortalPagesService } from './portal-pages.service.js';
import { PortalSessionsService } from './portal-sessions.service.js';
import { PortalViews } from './portal-views.js';

/**
 * Layer 4: the end-user portal (DESIGN §4.8) — server-rendered pages, sessions, login.
 * Reads consents (layer 3), resources, templates and client names (layer 2), org roles and
 * names (layer 1) and who created a request (audit, layer 0) through their exported services;
 * owns only the `portal_sessions` table.
 */
@Module({
  imports: [ConsentsModule, ResourcesModule, ClientsModule, OwnersModule, AuditModule],
  controllers: [
    ConsentPagesController,
    ConsentReceiptController,
    ConsentExportController,
    ConsentExtensionController,
    LoginController,
    PortalAssetsController,
    PortalInfoController,
  ],
  providers: [
    PortalViews,
    PortalAssets,
    PortalPagesService,
    PortalSessionsService,
    PortalAccessService,
    ConsentPresenterService,
    ConsentCardsService,
    ConsentNotices,
    ConsentReceiptsService,
    PortalVisitsService,
    OidcLoginService,
    PortalErrorFilter,
  ],
  // The admin login (/authorize) uses the portal's login session as its user step.
  exports: [PortalSessionsService],
})
export class PortalModule {}
