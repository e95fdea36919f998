import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { CurrentPrincipal } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { ScopedRoute } from '../common/http/owner-scoped.decorators.js';
import { ConsentPolicyPreviewService } from './consent-policy-preview.service.js';
import { PolicyPreviewDto, PolicyPreviewParamDto } from './dto/policy-preview.dto.js';

/**
 * Which existing consents a policy would stop at the gateway (beyond Altinn). Beside the policy
 * routes of the resource registry, here because it reads consents (layer 3).
 */
@ApiTags('resource registry: consent resources')
@Controller('resourceregistry/api/v1/resource/:id/policy')
export class ConsentPolicyPreviewController {
  constructor(private readonly previews: ConsentPolicyPreviewService) {}

  @Post('preview')
  @HttpCode(200)
  @ScopedRoute(
    { all: [Scopes.resourceWrite] },
    {
      summary: "Preview a policy: which of the resource's accepted consents it would stop at the gateway",
      description:
        'The body is a policy as for PUT (validated the same way); nothing is stored. Counts the accepted, unexpired consents naming the resource whose terms break its maxValidity (counted from acceptance) or metadataValues: the consents the gateway would refuse with 403 GW-00018 if the policy were set with applyToExistingConsents.',
      ok: PolicyPreviewDto,
      badRequest: 'Every validation problem of the policy, with `$.path`s',
      forbidden: 'The resource belongs to another owner (RR-00003)',
      notFound: 'No such resource, or deleted (RR-00001)',
    },
  )
  @ApiBody({ schema: { $ref: getSchemaPath('ResourcePolicyBodyDto') } })
  preview(
    @Param() params: PolicyPreviewParamDto,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<PolicyPreviewDto> {
    return this.previews.preview(params.id, body, principal);
  }
}
