import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { verifierMatches } from '../common/auth/pkce.js';
import { PLATFORM_SCOPES, Scopes } from '../common/auth/scopes.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { OwnersService } from '../owners/owners.service.js';
import { ScopesService } from '../scopes/scopes.service.js';
import type { CodeTokenForm } from './authorization-code-request.js';
import { AuthorizationCodesService } from './authorization-codes.service.js';
import { OAuthError } from './oauth-error.js';
import type { TokenResponse } from './token-grant.service.js';
import { TokenSignerService } from './token-signer.service.js';

/** What a service owner's administrators manage: its resources, access lists and scopes. */
const OWNER_SCOPES: readonly string[] = [
  Scopes.resourceRead,
  Scopes.resourceWrite,
  Scopes.accessListRead,
  Scopes.accessListWrite,
  Scopes.scopesRead,
  Scopes.scopesWrite,
];
/** What every organisation's administrators manage: its own clients, and reading its requests. */
const ANY_ORG_SCOPES: readonly string[] = [Scopes.dcrRead, Scopes.dcrWrite, Scopes.consentRequestsRead];

/**
 * The authorization-code grant of the admin login (issue 20): redeem the code once, check that
 * it was issued to this client for this redirect URI and that the verifier matches (RFC 7636
 * S256), check that the person still administers the organisation, then sign a short-lived
 * token for the organisation with the person as `pid`.
 *
 * Scopes are the intersection of what the client asked for and what the organisation holds,
 * computed now (not when the code was issued), and only platform scopes: a person's browser
 * token manages the platform, it never reaches an owner's API. `consentgw:admin` comes only
 * from administering the platform operator's organisation (PLATFORM_OPERATOR_ORG).
 */
@Injectable()
export class AuthorizationCodeGrantService {
  private readonly logger = new Logger(AuthorizationCodeGrantService.name);

  constructor(
    private readonly codes: AuthorizationCodesService,
    private readonly owners: OwnersService,
    private readonly scopes: ScopesService,
    private readonly signer: TokenSignerService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async issue(form: CodeTokenForm): Promise<TokenResponse> {
    if (!this.codes.client(form.clientId)) throw OAuthError.invalidClient('unknown_public_client');
    // Redeemed before any check, so every presentation of a code uses it up.
    const code = await this.codes.redeem(form.code);
    try {
      if (!code) throw OAuthError.invalidGrant('code_unknown_or_used');
      if (code.expiresAt.getTime() <= Date.now()) throw OAuthError.invalidGrant('code_expired');
      if (code.clientId !== form.clientId) throw OAuthError.invalidGrant('code_other_client');
      if (code.redirectUri !== form.redirectUri) throw OAuthError.invalidGrant('redirect_uri_mismatch');
      if (!verifierMatches(form.codeVerifier, code.codeChallenge))
        throw OAuthError.invalidGrant('pkce_mismatch');
      const administers = await this.owners.orgsWithAnyRole(code.personId, this.config.adminLogin.roles);
      if (!administers.includes(code.orgNumber)) throw OAuthError.invalidGrant('role_gone');

      const held = await this.heldScopes(code.orgNumber);
      // Nothing asked for: the organisation's scopes, but never the operator's admin power, which
      // must be asked for by name (least privilege; a Swagger user who ticks no scope gets no admin).
      const asked = code.scope === null ? [...held].filter((s) => s !== Scopes.admin) : code.scope.split(' ');
      const granted = [...new Set(asked)].filter((s) => held.has(s));
      if (granted.length === 0) throw OAuthError.invalidScope('nothing_held');

      const signed = await this.signer.sign({
        consumer: code.orgNumber,
        scope: granted.join(' '),
        clientId: form.clientId,
        clientAmr: 'none',
        ttlSeconds: this.config.adminLogin.tokenTtlSeconds,
        extraClaims: { pid: code.personId },
      });
      await this.audit.recordNow({
        actor: { org: code.orgNumber, client: form.clientId, person: code.personId },
        action: 'token.issued',
        objectType: 'admin-login',
        objectId: form.clientId,
        ownerOrg: code.orgNumber,
        after: {
          scopes: granted,
          consumer: code.orgNumber,
          person: code.personId,
          jti: signed.claims.jti,
          expiresAt: new Date((signed.claims.exp ?? 0) * 1000).toISOString(),
        },
      });
      return {
        access_token: signed.token,
        token_type: 'Bearer',
        expires_in: signed.expiresIn,
        scope: granted.join(' '),
      };
    } catch (err) {
      if (err instanceof OAuthError) {
        this.logger.warn(
          { clientId: form.clientId, error: err.error, reason: err.reason },
          'code grant refused',
        );
        // A refusal of a real code (wrong verifier, other client, expired…) is worth an audit row:
        // it is a stolen code or a broken client. Unknown codes identify nobody and are logged only.
        if (code) await this.auditRefusal(form.clientId, code.personId, code.orgNumber, err);
      }
      throw err;
    }
  }

  private async auditRefusal(
    clientId: string,
    personId: string,
    orgNumber: string,
    e: OAuthError,
  ): Promise<void> {
    try {
      await this.audit.recordNow({
        actor: { org: orgNumber, client: clientId, person: personId },
        action: 'token.refused',
        objectType: 'admin-login',
        objectId: clientId,
        ownerOrg: orgNumber,
        after: { error: e.error, reason: e.reason },
      });
    } catch (err) {
      this.logger.warn({ err }, 'could not audit a refused code grant');
    }
  }

  private async heldScopes(orgNumber: string): Promise<Set<string>> {
    const held = new Set<string>(ANY_ORG_SCOPES);
    if (await this.owners.findByOrgNumber(orgNumber)) for (const s of OWNER_SCOPES) held.add(s);
    for (const s of await this.scopes.grantedScopes(orgNumber))
      if ((PLATFORM_SCOPES as readonly string[]).includes(s) && s !== Scopes.admin) held.add(s);
    if (orgNumber === this.config.adminLogin.operatorOrgNumber) held.add(Scopes.admin);
    return held;
  }
}
