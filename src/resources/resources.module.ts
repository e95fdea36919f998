import { Module } from '@nestjs/common';
import { OwnersModule } from '../owners/owners.module.js';
import { ResourcesController } from './resources.controller.js';
import { ResourcesService } from './resources.service.js';
import { TemplatesController } from './templates.controller.js';
import { TemplatesService } from './templates.service.js';

/** Layer 2: consent resources and consent templates. Uses owners (layer 1), audit and the ChangeBus. */
@Module({
  imports: [OwnersModule],
  controllers: [ResourcesController, TemplatesController],
  providers: [ResourcesService, TemplatesService],
  exports: [ResourcesService, TemplatesService],
})
export class ResourcesModule {}
