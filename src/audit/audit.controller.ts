import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { AuditQueryService } from './audit-query.service.js';
import { AuditPageDto, AuditQueryDto } from './dto/audit.dto.js';

/** Paging and filters go back into `links.next`, so a client just follows it. */
function nextLink(query: AuditQueryDto, token: string): string {
  const params = new URLSearchParams();
  for (const key of ['objectType', 'objectId', 'action', 'from', 'to'] as const) {
    const v = query[key];
    if (v !== undefined) params.set(key, v);
  }
  params.set('continuationToken', token);
  return `/admin/v1/audit?${params.toString()}`;
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
