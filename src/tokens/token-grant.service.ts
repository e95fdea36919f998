import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { ActiveClient } from '../clients/clients.service.js';
import { AUTH_CLOCK, type Clock } from '../common/auth/clock.js';
import { orgUrn } from '../common/identifiers/party-urn.js';
import { TokenBucketLimiter, type RateRule } from '../common/rate-limit/token-bucket.limiter.js';
import type { ConsentRecord } from '../consents/consent.record.js';
import { ConsentsService } from '../consents/consents.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ScopesService } from '../scopes/scopes.service.js';
import { AssertionReplayStore } from './assertion-replay.store.js';
import { AssertionVerifier, ClientRefusal } from './assertion-verifier.js';
import { CONSENT_DETAIL_TYPE, type RequestedConsent } from './authorization-details.js';
import { OAuthError } from './oauth-error.js';
import { TokenMetrics } from './token-metrics.js';

import {
  parseTokenForm,
  resolveGrantParameters,
  type GrantParameters,
  type TokenForm,
} from './token-request.js';
import { iso6523, TokenSignerService } from './token-signer.service.js';

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** Refusals audited per client and second at most; the rest are logged only (no write flood). */
const REFUSAL_AUDIT_RULE: RateRule = { requests: 5, perSeconds: 1 };
/** A consent must outlive the token by at least this much to be worth a token. */
const MIN_CONSENT_REMAINING_MS = 1000;
/** Clients registered through the DCR API are all of this type (DESIGN §10). */
const INTEGRATION_TYPE = 'maskinporten';

/**
 * The JWT-bearer grant (DESIGN §4.5, §10): authenticate the client by its assertion, apply the
 * per-client rate limit, burn the assertion's `jti`, check scopes (and, in the supplier flow,
 * the consumer's delegation), check the consent, then sign and audit.
 */
@Injectable()
export class TokenGrantService {
  private readonly logger = new Logger(TokenGrantService.name);
  /** Token requests per client (TOKEN_RATE_LIMIT_PER_SECOND), and refusals audited per client. */
  private readonly limiter: TokenBucketLimiter;
  private readonly rateRule: RateRule;

  constructor(
    private readonly assertions: AssertionVerifier,
    private readonly replay: AssertionReplayStore,
    private readonly scopes: ScopesService,
    private readonly consents: ConsentsService,
    private readonly signer: TokenSignerService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    private readonly metrics: TokenMetrics,
  ) {
    this.limiter = new TokenBucketLimiter({ now: clock });
    this.rateRule = { requests: config.tokenRateLimitPerSecond, perSeconds: 1 };
  }

  /** A token request's form parameters, parsed here so a malformed request is counted too. */
  async issueForm(
    body: unknown,
    caller?: (party: { clientId: string; consumer?: string }) => void,
  ): Promise<TokenResponse> {
    let form: TokenForm;
    try {
      form = parseTokenForm(body);
    } catch (e) {
      this.metrics.requestsTotal.inc({ outcome: e instanceof OAuthError ? e.error : 'server_error' });
      throw e;
    }
    return this.issue(form, caller);
  }

  /** `caller` hears who asked, once the assertion names a known client (for the request log). */
  async issue(
    form: TokenForm,
    caller?: (party: { clientId: string; consumer?: string }) => void,
  ): Promise<TokenResponse> {
    let client: ActiveClient | undefined;
    let params: GrantParameters | undefined;
    try {
      const assertion = await this.assertions.verify(form.assertion);
      client = assertion.client;
      caller?.({ clientId: client.clientId, consumer: client.orgNumber });

      // After authentication, so nobody can use up another client's allowance with forged
      // assertions, and before the jti is burnt, so a throttled client may retry the same one.
      const wait = this.limiter.take(`grant\u0000${client.clientId}`, this.rateRule);
      if (wait > 0) throw OAuthError.rateLimited(wait);

      params = resolveGrantParameters(form, assertion.claims);
      if (!(await this.replay.remember(client.clientId, assertion.jti, new Date(assertion.exp * 1000))))
        throw OAuthError.invalidGrant('jti_replayed');

      // consumer_org naming the client's own org is the ordinary flow, not a supplier flow.
      const supplierFlow = params.consumerOrg !== undefined && params.consumerOrg !== client.orgNumber;
      const consumer = supplierFlow ? params.consumerOrg! : client.orgNumber;
      const supplier = supplierFlow ? client.orgNumber : undefined;

      const ttlSeconds = await this.checkScopes(client, params.scopes, consumer, supplier);
      const consent = params.consent ? await this.checkConsent(params.consent, consumer) : undefined;

      const scope = params.scopes.join(' ');
      const signed = await this.signer.sign({
        consumer,
        supplier,
        scope,
        clientId: client.clientId,
        ttlSeconds,
        audience: params.audience,
        notAfter: consent?.validTo,
        authorizationDetails: consent ? [consentDetail(consent)] : undefined,
        // Maskinporten names where the delegation is recorded; here, in this service.
        extraClaims: supplier ? { delegation_source: this.signer.issuer } : undefined,
      });

      // The audit row must exist for every token handed out: if it cannot be written, no token.
      await this.audit.recordNow({
        ...clientAudit(client),
        action: 'token.issued',
        after: {
          scopes: params.scopes,
          consumer,
          supplier: supplier ?? null,
          consentId: consent?.id ?? null,
          audience: params.audience ?? null,
          jti: signed.claims.jti,
          expiresAt: new Date((signed.claims.exp ?? 0) * 1000).toISOString(),
        },
      });
      this.metrics.requestsTotal.inc({ outcome: 'issued' });
      return { access_token: signed.token, token_type: 'Bearer', expires_in: signed.expiresIn, scope };
    } catch (e) {
      this.metrics.requestsTotal.inc({ outcome: e instanceof OAuthError ? e.error : 'server_error' });
      if (!client && e instanceof ClientRefusal)
        caller?.({ clientId: e.client.clientId, consumer: e.client.orgNumber });
      await this.recordRefusal(e, client, params);
      throw this.config.nodeEnv !== 'production' && e instanceof OAuthError ? e.explained() : e;
    }
  }

  /**
   * Every scope must be registered on the client, exist, be active and granted to the consumer;
   * in the supplier flow the consumer must also have delegated it to the client's org. Returns
   * the token lifetime: the shortest `at_max_age` of the scopes (default: the issuer's).
   */
  private async checkScopes(
    client: ActiveClient,
    requested: string[],
    consumer: string,
    supplier: string | undefined,
  ): Promise<number> {
    const results = await Promise.all(
      requested.map(async (name): Promise<OAuthError | number> => {
        if (!client.scopes.includes(name)) return OAuthError.invalidScope('scope_not_on_client');
        const scope = await this.scopes.getScope(name);
        if (!scope || !scope.active) return OAuthError.invalidScope('scope_unknown_or_inactive');
        if (
          scope.allowedIntegrationTypes.length > 0 &&
          !scope.allowedIntegrationTypes.includes(INTEGRATION_TYPE)
        )
          return OAuthError.invalidScope('scope_integration_type');
        if (!(await this.scopes.isGranted(name, consumer)))
          return OAuthError.invalidScope(supplier ? 'scope_not_granted_to_consumer' : 'scope_not_granted');
        if (supplier && !(await this.scopes.isDelegated(name, consumer, supplier)))
          return new OAuthError('unauthorized_client', 'scope_not_delegated');
        return scope.atMaxAge ?? this.config.defaultAccessTokenTtlSeconds;
      }),
    );
    let ttl = this.config.maxTokenLifetimeSeconds;
    for (const r of results) {
      if (r instanceof OAuthError) throw r;
      ttl = Math.min(ttl, r);
    }
    return ttl;
  }

  /**
   * The consent must be for this consumer: its `to`, or the organisation that handles it
   * (`handledBy`), compared with the consumer as Altinn's lookup does — in the supplier flow that
   * is the organisation the supplier acts for, never the supplier itself (so a handler cannot
   * pass a consent to a third organisation it supplies; the gateway holds the same rule),
   * from the party the client named, accepted, and still valid (not expired, revoked,
   * cancelled or — one-time consents — used). Every failure is the same `invalid_grant`.
   */
  private async checkConsent(requested: RequestedConsent, consumer: string): Promise<ConsentRecord> {
    const consent = await this.consents.findById(requested.id);
    if (!consent) throw OAuthError.invalidGrant('consent_unknown');
    if (consent.toOrg !== consumer && consent.handledBy !== orgUrn(consumer))
      throw OAuthError.invalidGrant('consent_other_consumer');
    if (consent.from !== requested.from) throw OAuthError.invalidGrant('consent_from_mismatch');
    if (consent.status !== 'accepted') throw OAuthError.invalidGrant(`consent_${consent.status}`);
    if (!consent.consented) throw OAuthError.invalidGrant('consent_not_consented');
    if (consent.validTo.getTime() - this.clock() < MIN_CONSENT_REMAINING_MS)
      throw OAuthError.invalidGrant('consent_expired');
    return consent;
  }

  /** Which check failed goes to the log, and, once the client is known, to its audit trail. */
  private async recordRefusal(e: unknown, known?: ActiveClient, params?: GrantParameters): Promise<void> {
    if (!(e instanceof OAuthError)) return; // 5xx: logged by the filter
    const client = known ?? (e instanceof ClientRefusal ? e.client : undefined);
    this.logger.warn(
      { clientId: client?.clientId ?? null, error: e.error, reason: e.reason },
      'token request refused',
    );
    if (!client || e.reason === 'rate_limited') return;
    if (this.limiter.take(`audit\u0000${client.clientId}`, REFUSAL_AUDIT_RULE) > 0) return;
    try {
      await this.audit.recordNow({
        ...clientAudit(client),
        action: 'token.refused',
        after: {
          error: e.error,
          reason: e.reason,
          scopes: params?.scopes ?? null,
          consumer: params?.consumerOrg ?? null,
          consentId: params?.consent?.id ?? null,
        },
      });
    } catch (err) {
      this.logger.warn({ err }, 'could not audit a refused token request');
    }
  }
}

/** The Altinn/Maskinporten shape of an embedded consent (wire sample `issuedAccessToken`). */
function consentDetail(c: ConsentRecord): Record<string, unknown> {
  return {
    type: CONSENT_DETAIL_TYPE,
    id: c.id,
    from: c.from,
    to: iso6523(c.toOrg),
    consented: c.consented!.toISOString(),
    validTo: c.validTo.toISOString(),
    // Only the accepted rights (partial acceptance): the gateway refuses a declined right.
    consentRights: c.grantedRights,
  };
}

/** Who a token request's audit row is by and about: the client, for its own organisation. */
function clientAudit(client: { orgNumber: string; clientId: string }) {
  return {
    actor: { org: client.orgNumber, client: client.clientId },
    objectType: 'client',
    objectId: client.clientId,
    ownerOrg: client.orgNumber,
  };
}
