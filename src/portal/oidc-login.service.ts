/**
 * OpenID Connect login for the portal (DESIGN §4.8, §10), ID-porten compatible: authorization
 * code flow with PKCE (S256), `state` and `nonce`, client secret, `acr_values` from config, and
 * the person from the ID token's `pid` claim (ID-porten puts the national identity number there).
 *
 * `openid-client` does the protocol work (discovery, ID token signature and claims checks,
 * issuer / audience / nonce / state verification); we keep the pending login in the browser's
 * pre-session row so the callback is bound to the browser that started it.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import * as oidc from 'openid-client';
import { isValidPersonNumber } from '../common/identifiers/person-number.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { PendingOidcLogin } from './portal-sessions.service.js';

export class OidcLoginError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OidcLoginError';
  }
}

@Injectable()
export class OidcLoginService {
  private readonly logger = new Logger(OidcLoginService.name);
  private configuration?: Promise<oidc.Configuration>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** OIDC is on when an issuer and a client id are configured. */
  get enabled(): boolean {
    return !!this.config.oidc.issuer && !!this.config.oidc.clientId;
  }

  get redirectUri(): string {
    return this.config.oidc.redirectUri ?? `${this.config.publicUrl}/login/callback`;
  }

  /** The authorization URL to send the browser to, and what to remember until it comes back. */
  async start(returnTo: string, lang: string): Promise<{ url: string; pending: PendingOidcLogin }> {
    const configuration = await this.discover();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const pending: PendingOidcLogin = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier,
      returnTo,
      lang,
      startedAt: Date.now(),
    };
    const params: Record<string, string> = {
      redirect_uri: this.redirectUri,
      response_type: 'code',
      scope: 'openid profile',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      ui_locales: lang,
    };
    if (this.config.oidc.acrValues) params.acr_values = this.config.oidc.acrValues;
    return { url: oidc.buildAuthorizationUrl(configuration, params).href, pending };
  }

  /**
   * Completes the code flow for the callback's query string; returns the person number.
   * Any protocol failure (error response, wrong state, bad token, missing `pid`) throws
   * OidcLoginError; the controller shows a neutral "login failed" page.
   */
  async finish(callbackQuery: string, pending: PendingOidcLogin): Promise<string> {
    const configuration = await this.discover();
    const current = new URL(this.redirectUri);
    current.search = callbackQuery;
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, current, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (err) {
      throw new OidcLoginError('the authorization response or token exchange failed', { cause: err });
    }
    const pid = claims?.pid;
    if (typeof pid !== 'string' || !isValidPersonNumber(pid))
      throw new OidcLoginError('the ID token carries no valid `pid` claim');
    return pid;
  }

  /** Discovery once, cached; a failure is not cached so the next login retries. */
  private discover(): Promise<oidc.Configuration> {
    if (!this.enabled) return Promise.reject(new OidcLoginError('OIDC is not configured'));
    this.configuration ??= this.runDiscovery().catch((err: unknown) => {
      this.configuration = undefined;
      this.logger.warn({ err }, 'OIDC discovery failed');
      throw new OidcLoginError('OIDC discovery failed', { cause: err });
    });
    return this.configuration;
  }

  private async runDiscovery(): Promise<oidc.Configuration> {
    const { issuer, clientId, clientSecret } = this.config.oidc;
    const issuerUrl = new URL(issuer!);
    // Plain http only for a local test provider, never in production.
    const insecure = issuerUrl.protocol === 'http:' && this.config.nodeEnv !== 'production';
    return oidc.discovery(
      issuerUrl,
      clientId!,
      { redirect_uris: [this.redirectUri], response_types: ['code'] },
      clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None(),
      { timeout: 10, ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}) },
    );
  }
}
