import { Module } from '@nestjs/common';
import { OwnersModule } from '../owners/owners.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { GuideController } from './guide.controller.js';
import { GuideService } from './guide.service.js';
import { GuideViews } from './guide-views.js';
import { LandingController } from './landing.controller.js';
import { LandingViews } from './landing-views.js';

/**
 * The integration guide (DESIGN §4.11). Reads owners and resources through their services and
 * the gateway's `protected_apis` rows directly (read-only), so it does not depend on the
 * gateway module and sits with the other layer-4 contexts.
 */
@Module({
  imports: [ResourcesModule, OwnersModule],
  controllers: [GuideController, LandingController],
  providers: [GuideService, GuideViews, LandingViews],
  exports: [GuideService],
})
export class GuideModule {}
