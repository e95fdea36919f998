/**
 * OpenAPI shapes of a resource policy. The body is validated by resource-policy.validator.ts
 * (keys of its maps are data: org numbers and metadata keys), so these classes only document.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class MetadataValueRuleDto {
  @ApiPropertyOptional({ type: [String], example: ['2024', '2025'], description: 'Allowed values (exact)' })
  enum?: string[];

  @ApiPropertyOptional({
    example: '[0-9]{11}',
    description: 'RE2 pattern the whole value must match (linear time; no backreferences or lookaround)',
  })
  pattern?: string;
}

export class ResourcePolicyBodyDto {
  @ApiPropertyOptional({
    nullable: true,
    example: 'P3Y',
    description: 'ISO 8601 duration (years, months, weeks, days): validTo at most this far ahead',
  })
  maxValidity?: string | null;

  @ApiPropertyOptional({ default: false, description: 'redirectUrl must be https' })
  httpsRedirectOnly?: boolean;

  @ApiPropertyOptional({
    nullable: true,
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    example: { '991825827': ['https://bank.example/samtykke/'], '*': ['https://consumer.example/callback'] },
    description:
      'Consumer org number, or "*" for every other consumer → allowed redirect URLs (an entry ending in "/" allows the paths below it)',
  })
  redirectAllowList?: Record<string, string[]> | null;

  @ApiPropertyOptional({
    nullable: true,
    example: 100,
    description:
      'Gateway calls per consent per UTC day (429 GW-00017 with Retry-After beyond); applies to every consent from the moment it is set',
  })
  callsPerDay?: number | null;

  @ApiPropertyOptional({
    nullable: true,
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/MetadataValueRuleDto' },
    example: { inntektsaar: { enum: ['2024', '2025'] } },
    description: 'Metadata key (declared in consentMetadata) → allowed values',
  })
  metadataValues?: Record<string, MetadataValueRuleDto> | null;

  @ApiPropertyOptional({
    nullable: true,
    example: 30,
    description:
      "Days before validTo the resource's consents get their `expiring` event, when more than the platform's EXPIRY_REMINDER_DAYS",
  })
  expiryReminderDays?: number | null;

  @ApiPropertyOptional({
    default: false,
    description:
      'The gateway also refuses (403 GW-00018) consents created before the policy last changed whose validTo or metadata break the current maxValidity or metadataValues; false: they keep their terms',
  })
  applyToExistingConsents?: boolean;
}

export class ResourcePolicyDto {
  @ApiProperty({ example: 'skd-inntekt-samtykke' })
  resource: string;

  @ApiProperty({ nullable: true, example: 'P3Y', type: String })
  maxValidity: string | null;

  @ApiProperty()
  httpsRedirectOnly: boolean;

  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
  })
  redirectAllowList: Record<string, string[]> | null;

  @ApiProperty({ nullable: true, type: Number })
  callsPerDay: number | null;

  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/MetadataValueRuleDto' },
  })
  metadataValues: Record<string, MetadataValueRuleDto> | null;

  @ApiProperty({ nullable: true, type: Number })
  expiryReminderDays: number | null;

  @ApiProperty()
  applyToExistingConsents: boolean;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ nullable: true, type: String, description: 'Org number of who set it' })
  updatedBy: string | null;
}
