import { Body, Controller, Header, HttpCode, Post, Req, UseFilters } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Public } from '../common/auth/auth.decorators.js';
import { noteRequest } from '../common/tracing/request-notes.js';
import { OAuthErrorDto, TokenRequestDto, TokenResponseDto } from './dto/token.dto.js';
import { OAuthErrorFilter } from './oauth-error.filter.js';
import { AuthorizationCodeGrantService } from './authorization-code-grant.service.js';
import { isCodeGrant, parseCodeTokenForm } from './authorization-code-request.js';
import { TokenGrantService } from './token-grant.service.js';

/**
 * `POST /token` (DESIGN §4.5): Maskinporten-compatible JWT-bearer grant. Public, because the
 * client authenticates with the signed assertion itself. Errors are OAuth JSON (filter below;
 * Fastify-level errors on this route are translated by TokenEndpointHooks).
 */
@ApiTags('token issuer')
@Controller()
@UseFilters(OAuthErrorFilter)
export class TokenGrantController {
  constructor(
    private readonly grants: TokenGrantService,
    private readonly codeGrants: AuthorizationCodeGrantService,
  ) {}

  @Public()
  @Post('token')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @Header('pragma', 'no-cache')
  @ApiOperation({
    summary:
      'Issue an access token for a JWT-bearer assertion (RFC 7523, Maskinporten-compatible) or an authorization code (admin login, PKCE)',
    description:
      '`grant_type=authorization_code` (public clients of the admin login such as Swagger UI): `code`, `redirect_uri`, ' +
      '`client_id` and `code_verifier` (RFC 7636, S256); a code works once, within 60 s, for the client and redirect ' +
      'URI it was issued to; otherwise 400 `invalid_grant`. ' +
      'Errors are OAuth 2.0 JSON `{error, error_description}`: 401 `invalid_client` (client, key or signature), ' +
      '400 `invalid_grant` (assertion claims, replayed `jti`, unusable consent), `invalid_scope`, ' +
      '`unauthorized_client` (supplier flow without delegation), `unsupported_grant_type`, ' +
      '`invalid_authorization_details`, `invalid_target`, `invalid_request`; 429 with `Retry-After` ' +
      'past the per-client rate limit.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiProduces('application/json')
  @ApiBody({ type: TokenRequestDto })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({
    type: OAuthErrorDto,
    description: 'Malformed request, bad assertion claims, scope or consent',
  })
  @ApiUnauthorizedResponse({
    type: OAuthErrorDto,
    description: '`invalid_client`: unknown client, key or bad signature',
  })
  @ApiPayloadTooLargeResponse({ type: OAuthErrorDto, description: 'Request body over 64 KiB' })
  @ApiTooManyRequestsResponse({
    type: OAuthErrorDto,
    description: 'Per-client rate limit; see `Retry-After`',
  })
  async token(@Body() body: Record<string, unknown>, @Req() req: FastifyRequest): Promise<TokenResponseDto> {
    if (isCodeGrant(body)) return this.codeGrants.issue(parseCodeTokenForm(body));
    return this.grants.issueForm(body, (party) => noteRequest(req.raw, party));
  }
}
