import { ApiProperty, type SchemaObject } from '@nestjs/swagger';
import { IsArray, IsDefined } from 'class-validator';

const JWK_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: true,
  required: ['kid', 'kty'],
  properties: {
    kid: { type: 'string' },
    kty: { type: 'string', enum: ['RSA', 'EC'] },
    use: { type: 'string', enum: ['sig'] },
    alg: { type: 'string', enum: ['RS256', 'RS384', 'RS512', 'ES256'] },
    n: { type: 'string' },
    e: { type: 'string' },
    crv: { type: 'string', enum: ['P-256'] },
    x: { type: 'string' },
    y: { type: 'string' },
  },
};

/**
 * The keys themselves are checked by validateClientJwks (one problem per key, by index), not
 * here: a JWK is an open object and its rules depend on `kty`.
 */
export class JwksDto {
  @ApiProperty({
    type: 'array',
    items: JWK_SCHEMA,
    maxItems: 5,
    description:
      'Public keys (RSA ≥ 2048 bits or EC P-256), each with a unique `kid`. Replaces the whole set. ' +
      'A key with private members (d, p, q, dp, dq, qi, k, oth) is refused and nothing is stored.',
  })
  @IsDefined()
  @IsArray()
  keys: unknown[];
}

export class JwksResponseDto {
  @ApiProperty({ type: 'array', items: JWK_SCHEMA })
  keys: Record<string, unknown>[];
}
