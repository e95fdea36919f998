import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { ScopedRoute, type Access } from '../common/http/owner-scoped.decorators.js';
import { ResourceIdParamDto } from './dto/resource.dto.js';
import { MetadataValueRuleDto, ResourcePolicyBodyDto, ResourcePolicyDto } from './dto/resource-policy.dto.js';
import { ResourcePoliciesService } from './resource-policies.service.js';

const WRITE: Access = { all: [Scopes.resourceWrite] };
const READ: Access = { any: [Scopes.resourceRead, Scopes.resourceWrite, Scopes.admin] };

/**
 * A consent resource's policy (beyond Altinn; docs/consent-lifecycle.md): rules the owner sets on
 * top of Altinn's, checked when a consent request is created. Unlike the resource itself the
 * policy is not public (its redirect allow-list names the owner's consumers): the owner reads and
 * writes it, the platform operator may read it.
 */
@ApiTags('resource registry: consent resources')
@ApiExtraModels(MetadataValueRuleDto)
@Controller('resourceregistry/api/v1/resource/:id/policy')
export class ResourcePoliciesController {
  constructor(private readonly policies: ResourcePoliciesService) {}

  @Get()
  @ScopedRoute(READ, {
    summary: "Get the resource's policy (owner or platform operator)",
    ok: ResourcePolicyDto,
    forbidden: 'The resource belongs to another owner',
    notFound: 'No such resource, or it has no policy (RR-00008)',
  })
  async get(
    @Param() params: ResourceIdParamDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ResourcePolicyDto> {
    return this.policies.read(params.id, principal);
  }

  @Put()
  @ScopedRoute(WRITE, {
    summary: "Set (replace) the resource's policy, checked on every new consent request",
    ok: ResourcePolicyDto,
    badRequest: 'Every validation problem, with `$.path`s',
    forbidden: 'The resource belongs to another owner',
    notFound: 'No such resource, or deleted',
  })
  @ApiBody({ type: ResourcePolicyBodyDto })
  async put(
    @Param() params: ResourceIdParamDto,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ResourcePolicyDto> {
    return this.policies.put(params.id, body, principal);
  }

  @Delete()
  @HttpCode(204)
  @ScopedRoute(WRITE, {
    summary: "Remove the resource's policy (back to Altinn's rules)",
    noContent: 'Removed',
    forbidden: 'The resource belongs to another owner',
    notFound: 'No such resource, or it has no policy (RR-00008)',
  })
  async remove(@Param() params: ResourceIdParamDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.policies.remove(params.id, principal);
  }
}
