import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * Swagger shapes of the token endpoint. The form is parsed by `token-request.ts`, not by the
 * global ValidationPipe (OAuth errors have their own format and unknown parameters must be
 * ignored, RFC 6749 §3.2), so these classes document the contract and carry no validators.
 */
export class TokenRequestDto {
  @ApiProperty({ enum: ['urn:ietf:params:oauth:grant-type:jwt-bearer'] })
  grant_type: string;

  @ApiProperty({
    description:
      'JWT signed (RS256/RS384/RS512/ES256) with a key registered on the client, header `kid` naming it. ' +
      'Claims: `iss` = client id, `aud` = this issuer (`PUBLIC_URL/`), `iat` (within ±10 s), ' +
      '`exp` (at most 120 s after `iat`), `jti` (single use). May also carry `scope`, `resource`, ' +
      '`consumer_org` and `authorization_details` (Maskinporten style).',
  })
  assertion: string;

  @ApiPropertyOptional({
    description: 'Space-separated scopes; required here or as the assertion claim `scope`.',
    example: 'skd:inntekt',
  })
  scope?: string;

  @ApiPropertyOptional({
    description:
      'RFC 8707 resource indicator (absolute URI); becomes the access token `aud`. May be repeated.',
    example: 'https://api.example.no/inntekt',
  })
  resource?: string;

  @ApiPropertyOptional({
    description:
      'Supplier flow: the organisation to act for. It must have delegated every requested scope to the ' +
      "client's organisation; the token then has `consumer` = this org and `supplier` = the client's org.",
    example: '991825827',
  })
  consumer_org?: string;

  @ApiPropertyOptional({
    description:
      'RFC 9396, JSON: exactly one `{"type":"urn:altinn:consent","id":"<consent id>","from":"<party URN>"}`. ' +
      'The token then embeds the accepted consent (Altinn shape).',
    example:
      '[{"type":"urn:altinn:consent","id":"f70542a8-d97a-40a8-9ef7-221603ffd5e6","from":"urn:altinn:person:identifier-no:25922947409"}]',
  })
  authorization_details?: string;
}

export class TokenResponseDto {
  @ApiProperty({ description: 'RS256 JWT signed by the built-in issuer (keys at `GET /jwk`).' })
  access_token: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type: 'Bearer';

  @ApiProperty({ description: 'Seconds until the token expires.', example: 120 })
  expires_in: number;

  @ApiProperty({ description: 'The granted scopes, space-separated.', example: 'skd:inntekt' })
  scope: string;
}

export class OAuthErrorDto {
  @ApiProperty({
    enum: [
      'invalid_request',
      'invalid_client',
      'invalid_grant',
      'invalid_scope',
      'unauthorized_client',
      'unsupported_grant_type',
      'invalid_authorization_details',
      'invalid_target',
      'temporarily_unavailable',
      'server_error',
    ],
  })
  error: string;

  @ApiProperty({ description: 'Human-readable; never says which check failed.' })
  error_description: string;
}
