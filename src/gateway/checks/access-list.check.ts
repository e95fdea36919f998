/**
 * Consumer on the resource's access list when the resource enables one (403 GW-00008). Both the
 * resource's policy and the list's answer come from memory; a miss loads one of them.
 */
import type { AccessListsService } from '../../access-lists/access-lists.service.js';
import type { ResourcePolicy } from '../consent-state.js';
import type { GatewayCall } from '../gateway-call.js';
import * as E from '../gateway-errors.js';
import { Need, PASS, type GatewayCheck, type Verdict } from './check.js';

/** Resource policies by identifier, from memory (`peek`, undefined on a miss) or the database. */
export interface ResourcePolicies {
  peek(identifier: string): ResourcePolicy | null | undefined;
  load(identifier: string): Promise<ResourcePolicy | null>;
}

export type AccessListAnswers = Pick<AccessListsService, 'isAllowedCached' | 'isAllowed'>;

export class AccessListCheck implements GatewayCheck {
  readonly name = 'access list';
  readonly needsPolicy = new Need('resource policy', async (call) => {
    call.policy = await this.policies.load(call.match!.resource);
  });
  readonly needsAnswer = new Need('access-list answer', async (call) => {
    call.allowed = await this.lists.isAllowed(call.consumer, call.match!.resource, call.route.requiredAction);
  });

  constructor(
    private readonly policies: ResourcePolicies,
    private readonly lists: AccessListAnswers,
    private readonly countLookup: (cache: string, hit: boolean) => void,
  ) {}

  run(call: GatewayCall): Verdict {
    const resource = call.match!.resource;
    if (call.policy === undefined) {
      const cached = this.policies.peek(resource);
      if (cached === undefined) return this.needsPolicy;
      call.policy = cached;
    }
    // The resource was deleted since the token was issued: the consent no longer covers the API.
    if (call.policy === null) return E.consentCoverage(call.route.requiredAction);
    if (call.policy.accessListMode !== 'Enabled') return PASS;
    if (call.allowed === undefined) {
      const cached = this.lists.isAllowedCached(call.consumer, resource, call.route.requiredAction);
      this.countLookup('access_list', cached !== undefined);
      if (cached === undefined) return this.needsAnswer;
      call.allowed = cached;
    }
    return call.allowed ? PASS : E.notOnAccessList();
  }
}
