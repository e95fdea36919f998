import { ConsentMetrics } from './consent-metrics.js';
import { Module } from '@nestjs/common';
import { AccessListsModule } from '../access-lists/access-lists.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { ConsentCreateRepository } from './consent-create.repository.js';
import { ConsentEventsRepository } from './consent-events.repository.js';
import { ConsentEventsService } from './consent-events.service.js';
import { ConsentExtensionDecisionsService } from './consent-extension-decisions.service.js';
import { ConsentExtensionRules } from './consent-extension.rules.js';
import { ConsentExtensionStep } from './consent-extension.step.js';
import { ConsentExtensionsController } from './consent-extensions.controller.js';
import { ConsentExtensionsService } from './consent-extensions.service.js';
import { ConsentVersionsService } from './consent-versions.service.js';
import { ConsentExportService } from './consent-export.service.js';
import { ConsentExpiryReminders } from './consent-expiry-reminders.js';
import { ConsentExpiryRepository } from './consent-expiry.repository.js';
import { ConsentExpirySweeper } from './consent-expiry.sweeper.js';
import { ConsentFeedRepository } from './consent-feed.repository.js';
import { ConsentFeedSequencer } from './consent-feed.sequencer.js';
import { ConsentListingService } from './consent-listing.service.js';
import { ConsentPolicyPreviewController } from './consent-policy-preview.controller.js';
import { ConsentPolicyPreviewService } from './consent-policy-preview.service.js';
import { ConsentLookupService } from './consent-lookup.service.js';
import { ConsentRequestsService } from './consent-requests.service.js';
import { ConsentRevocationsController } from './consent-revocations.controller.js';
import { ConsentRevocationsService } from './consent-revocations.service.js';
import { ConsentLookupController, ConsentsController } from './consents.controller.js';
import { ConsentsService } from './consents.service.js';
import { ConsentUsageRepository } from './consent-usage.repository.js';
import { ConsentUsageSummaries } from './consent-usage-summaries.js';
import { ConsentUsageService } from './consent-usage.service.js';
import { ConsentOutcomesService } from './consent-outcomes.service.js';

/**
 * Layer 3: consent requests, their lifecycle, the events feed and the issuer lookup.
 * Uses resources and access lists (layer 2) through their exported services; the portal, token
 * issuer, gateway and webhooks use `ConsentsService` / `ConsentEventsService`.
 */
@Module({
  imports: [ResourcesModule, AccessListsModule],
  controllers: [
    ConsentsController,
    ConsentLookupController,
    ConsentRevocationsController,
    ConsentPolicyPreviewController,
    ConsentExtensionsController,
  ],
  providers: [
    ConsentsService,
    ConsentEventsService,
    ConsentEventsRepository,
    ConsentFeedSequencer,
    ConsentFeedRepository,
    ConsentExpiryRepository,
    ConsentRequestsService,
    ConsentCreateRepository,
    ConsentListingService,
    ConsentLookupService,
    ConsentExpirySweeper,
    ConsentMetrics,
    ConsentExpiryReminders,
    ConsentRevocationsService,
    ConsentExportService,
    ConsentUsageRepository,
    ConsentUsageService,
    ConsentPolicyPreviewService,
    ConsentUsageSummaries,
    ConsentOutcomesService,
    ConsentExtensionsService,
    ConsentExtensionDecisionsService,
    ConsentExtensionStep,
    ConsentExtensionRules,
    ConsentVersionsService,
  ],
  exports: [
    ConsentExtensionsService,
    ConsentExtensionDecisionsService,
    ConsentVersionsService,
    ConsentsService,
    ConsentEventsService,
    ConsentFeedSequencer,
    ConsentUsageService,
    ConsentExportService,
    ConsentOutcomesService,
  ],
})
export class ConsentsModule {}
