import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller.js';
import { AuditQueryService } from './audit-query.service.js';
import { AuditService } from './audit.service.js';
import { ChangeLogService } from './change-log.service.js';

@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditService, AuditQueryService, ChangeLogService],
  exports: [AuditService, ChangeLogService],
})
export class AuditModule {}
