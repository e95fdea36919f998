/**
 * The life of a call under a one-time consent (DESIGN §4.7, §4.9), around the claim rows in the
 * database (OneTimeClaimsRepository):
 *
 * 1. before forwarding, the call claims the consent and re-reads it from the database (not the
 *    cache): a call that raced another call's `used` is refused (401 GW-00009);
 * 2. the upstream's first 2xx is withheld until the consent is marked `used` (atomic; a lost race
 *    turns the answer into 401); any other answer waits for the claim's release, so a client that
 *    retries at once after a failed call is not refused by its own previous call's claim;
 * 3. no answer at all after the request reached the upstream (a timeout, a connection reset, the
 *    client gone) leaves the outcome unknown: the upstream may have acted, so the consent is
 *    marked `used` too, before the claim is released (fail closed, RT3-10). When the upstream was
 *    never reached (refused, DNS, connect timeout) or answered with a non-2xx status, nothing was
 *    delivered and the consent stays usable;
 * 4. the claim is released exactly once, whatever the outcome (an unreleased claim expires).
 */
import type { Logger } from '@nestjs/common';
import type { DomainError } from '../common/errors/domain-error.js';
import { orgUrn } from '../common/identifiers/party-urn.js';
import type { ConsentsService } from '../consents/consents.service.js';
import type { ClaimTaker } from './checks/one-time-claim.check.js';
import { storedConsentRefusal } from './checks/consent-active.check.js';
import type { GatewayStateCache } from './consent-state.cache.js';
import type { GatewayCall } from './gateway-call.js';
import * as E from './gateway-errors.js';
import { toProblem } from './gateway-answers.js';
import type { OneTimeClaimsRepository } from './one-time-claims.repository.js';

export class OneTimeClaimLifecycle implements ClaimTaker {
  constructor(
    private readonly claims: OneTimeClaimsRepository,
    private readonly consents: ConsentsService,
    private readonly state: GatewayStateCache,
    private readonly logger: Logger,
  ) {}

  /** Step 1: the claim token, or a rejection with the refusal. */
  async claimFor(call: GatewayCall): Promise<string> {
    const detail = call.detail!;
    const claim = await this.claims.claim(detail.id, call.route.timeoutMs);
    if (!claim) throw E.consentInactive('The one-time consent is being used by another call.');
    try {
      const refusal = storedConsentRefusal(detail, await this.state.readFresh(detail.id), Date.now());
      if (refusal) throw refusal;
    } catch (err) {
      await this.release(detail.id, claim);
      throw err;
    }
    return claim;
  }

  /**
   * Step 2, for a final answer (UpstreamExchange's gate): null when the call holds no claim;
   * otherwise the promise of null (answer as is) or of the problem to answer instead.
   */
  gate(call: GatewayCall, statusCode: number): Promise<DomainError | null> | null {
    if (call.claim === null) return null;
    if (statusCode < 200 || statusCode >= 300) return this.releaseOnce(call).then(() => null);
    return this.markUsed(call).then(async (refusal) => {
      await this.releaseOnce(call);
      return refusal;
    });
  }

  /**
   * Step 3: marks the consent used, then releases the claim, once (never rejects). For a call
   * whose request reached the upstream without an answer coming back.
   */
  useUpOnce(call: GatewayCall): Promise<void> {
    if (call.claim === null) return Promise.resolve();
    const { id } = call.detail!;
    const claim = call.claim;
    call.released ??= this.markUsed(call).then((problem) => {
      // Lost to another call's `used` is fine (it is used); a database failure leaves it usable.
      if (problem && problem.status >= 500)
        this.logger.warn(
          `could not mark one-time consent ${id} used after an unknown outcome: ${problem.code}`,
        );
      return this.release(id, claim);
    });
    return call.released;
  }

  /** Step 4: releases the call's claim once (never rejects; resolves at once without a claim). */
  releaseOnce(call: GatewayCall): Promise<void> {
    if (call.claim === null) return Promise.resolve();
    call.released ??= this.release(call.detail!.id, call.claim);
    return call.released;
  }

  /** True while the call holds a claim that is not being released yet. */
  holdsClaim(call: GatewayCall): boolean {
    return call.claim !== null && call.released === null;
  }

  /** `used` is written before the answer goes out. */
  private async markUsed(call: GatewayCall): Promise<DomainError | null> {
    const id = call.detail!.id;
    try {
      const won = await this.consents.markUsed(id, orgUrn(call.principal!.consumer));
      this.state.consents.invalidate(id);
      return won ? null : E.consentInactive();
    } catch (err) {
      return toProblem(err, `one-time ${id}`, this.logger);
    }
  }

  private release(consentId: string, token: string): Promise<void> {
    return this.claims.release(consentId, token).catch((err: unknown) => {
      this.logger.warn(
        `could not release one-time claim of ${consentId} (it expires): ${(err as Error).message}`,
      );
    });
  }
}
