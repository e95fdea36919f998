import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/auth/auth.decorators.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { SigningKeysService } from './signing-keys.service.js';

/** The built-in issuer's discovery documents (Maskinporten-compatible). */
@ApiTags('token issuer')
@Controller()
export class WellKnownController {
  constructor(
    private readonly keys: SigningKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get('jwk')
  @Header('cache-control', 'public, max-age=60')
  @ApiOperation({ summary: 'Public signing keys of the built-in issuer (JWKS)' })
  @ApiOkResponse({ description: 'JWK set: next, current and previous keys' })
  async jwks() {
    return this.keys.getPublicJwks();
  }

  @Public()
  @Get('.well-known/oauth-authorization-server')
  @Header('cache-control', 'public, max-age=300')
  @ApiOperation({ summary: 'OAuth 2.0 authorization server metadata (RFC 8414)' })
  metadata() {
    const base = this.config.publicUrl;
    return {
      issuer: `${base}/`,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/token`,
      jwks_uri: `${base}/jwk`,
      // `none`: the admin login's public clients (PKCE instead of a secret).
      token_endpoint_auth_methods_supported: ['private_key_jwt', 'none'],
      grant_types_supported: ['urn:ietf:params:oauth:grant-type:jwt-bearer', 'authorization_code'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256', 'RS384', 'RS512', 'ES256'],
      authorization_details_types_supported: ['urn:altinn:consent'],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      scopes_supported: [],
      'consent-gateway_version': '1',
    };
  }
}
