import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { pageLink } from '../common/paging/pages.js';
import { AuditQueryService } from './audit-query.service.js';
import { AuditPageDto, AuditQueryDto } from './dto/audit.dto.js';

/** Paging and filters go back into `links.next`, so a client just follows it. */
function nextLink({ objectType, objectId, action, from, to }: AuditQueryDto, token: string): string {
  return pageLink('/admin/v1/audit', { objectType, objectId, action, from, to, continuationToken: token });
}

@ApiTags('admin: audit')
@Controller('admin/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditQueryService) {}

  /** Any valid token: `consentgw:admin` sees every entry, others the entries of their own org's objects. */
  @Get()
  @RequireScopes()
  @ApiOperation({
    summary:
      "Read the audit trail (admin: all; others: their own organisation's objects), oldest first, 100 per page",
  })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiBadRequestResponse({ description: 'Invalid filter or continuation token' })
  async list(@Query() query: AuditQueryDto, @CurrentPrincipal() principal: Principal): Promise<AuditPageDto> {
    const page = await this.audit.list(query, principal);
    return { links: { next: page.next ? nextLink(query, page.next) : null }, data: page.items };
  }
}
