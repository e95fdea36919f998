import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { ScopedRoute } from '../common/http/owner-scoped.decorators.js';
import { ConsentRevocationsService } from './consent-revocations.service.js';
import { ConsentDetailsDto } from './dto/consent-request.dto.js';
import { ConsentIdParamDto, RevokeConsentDto } from './dto/consent-revocation.dto.js';

/** Revocation by the data owner or the platform operator, with a reason (beyond Altinn). */
@ApiTags('consent lifecycle (beyond Altinn)')
@Controller('admin/v1/consents')
export class ConsentRevocationsController {
  constructor(private readonly revocations: ConsentRevocationsService) {}

  @Post(':id/revoke')
  @HttpCode(200)
  @ScopedRoute(
    { any: [Scopes.resourceWrite, Scopes.admin] },
    {
      summary:
        'Revoke an accepted consent with a reason (owner of one of its resources, or the platform operator)',
      description:
        'The consent becomes `revoked` at once (the gateway refuses it on the next call); the `revoked` event carries `reason`, the consumer gets it by webhook, the person sees it in the portal and export. Revoking a revoked consent again changes nothing.',
      ok: ConsentDetailsDto,
      badRequest: 'Missing or empty reason (STD.VLD-…), or the consent is not accepted (AM-00010)',
      notFound: 'No such consent on one of your resources (AM-00001)',
    },
  )
  @ApiBody({ type: RevokeConsentDto })
  revoke(
    @Param() params: ConsentIdParamDto,
    @Body() body: RevokeConsentDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ConsentDetailsDto> {
    return this.revocations.revoke(principal, params.id.toLowerCase(), body.reason);
  }
}
