import { ApiProperty } from '@nestjs/swagger';

export class GuideOwnerDto {
  @ApiProperty({ example: 'skd' })
  orgcode: string;

  @ApiProperty({ example: '974761076' })
  orgNumber: string;

  @ApiProperty({
    example: { nb: 'Skatteetaten', nn: 'Skatteetaten', en: 'The Norwegian Tax Administration' },
    nullable: true,
  })
  name: Record<string, string> | null;
}

export class GuideMetadataDto {
  @ApiProperty({ example: 'inntektsaar' })
  key: string;

  @ApiProperty({ description: 'True when a consent request may leave the key out.' })
  optional: boolean;
}

export class GuideHeaderDto {
  @ApiProperty({ example: 'X-Consent-From' })
  name: string;

  @ApiProperty({ example: 'Party URN of the person or organisation that gave the consent.' })
  description: string;
}

export class GuideGatewayDto {
  @ApiProperty({ example: 'inntekt', description: 'Name of the protected API.' })
  name: string;

  @ApiProperty({
    example: 'https://consent-gateway.example/proxy/inntekt/',
    description: 'Base URL to call through the gateway.',
  })
  url: string;

  @ApiProperty({
    type: GuideHeaderDto,
    isArray: true,
    description: 'Headers the upstream API receives on every call (set by the gateway).',
  })
  headers: GuideHeaderDto[];

  @ApiProperty({
    type: GuideHeaderDto,
    isArray: true,
    description: 'Headers (or query parameters) the consumer sends.',
  })
  requestHeaders: GuideHeaderDto[];

  @ApiProperty({ example: ['skd:inntekt'] })
  requiredScopes: string[];

  @ApiProperty({ example: 'consent' })
  requiredAction: string;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Required token `aud` (request it with `resource=`), if any.',
  })
  audience: string | null;

  @ApiProperty({
    nullable: true,
    description: 'Where the data subject must be named in each call, if required.',
  })
  subject: { in: 'header' | 'query'; name: string } | null;
}

/** DESIGN §10 "Guide JSON". */
export class GuideDto {
  @ApiProperty({ example: 'skd-inntekt-api' })
  resource: string;

  @ApiProperty({
    example: { nb: 'Inntektsopplysninger', nn: 'Inntektsopplysningar', en: 'Income information' },
  })
  title: Record<string, string>;

  @ApiProperty({ type: GuideOwnerDto })
  owner: GuideOwnerDto;

  @ApiProperty({
    example: ['skd:inntekt', 'altinn:consentrequests.write', 'altinn:consentrequests.read'],
    description:
      "Scopes the consumer's organisation and client need: the owner's scopes, then the consent API's.",
  })
  scopes: string[];

  @ApiProperty({ type: GuideMetadataDto, isArray: true })
  metadata: GuideMetadataDto[];

  @ApiProperty({
    example: ['DAGL', 'LEDE'],
    description: 'Roles a person needs to accept for an organisation.',
  })
  consentRoles: string[];

  @ApiProperty({ example: [{ category: 'Tilgang', email: 'tilgang@skatteetaten.no' }] })
  contactPoints: Record<string, string>[];

  @ApiProperty({ description: 'A ready body for POST /accessmanagement/api/v1/enterprise/consentrequests.' })
  consentRequestExample: Record<string, unknown>;

  @ApiProperty({ description: 'Header and claims of the JWT-bearer assertion for POST /token.' })
  tokenAssertionExample: { header: Record<string, unknown>; payload: Record<string, unknown> };

  @ApiProperty({
    type: GuideGatewayDto,
    nullable: true,
    description: 'Null until the owner registers an API that honours the resource.',
  })
  gateway: GuideGatewayDto | null;
}
