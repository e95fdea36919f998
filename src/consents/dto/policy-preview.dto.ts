import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

/** The resource in the path, checked as the registry's own routes check it (unknown → 404 there). */
export class PolicyPreviewParamDto {
  @ApiProperty({ example: 'skd-inntekt-samtykke' })
  @Matches(/^[a-z0-9_-]{4,100}$/, { message: 'id must be 4 to 100 lowercase letters, digits, _ or -' })
  id: string;
}

export class PolicyPreviewExampleDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: '991825827', description: "The consumer's org number" })
  toOrg: string;

  @ApiProperty({ format: 'date-time' })
  validTo: string;

  @ApiProperty({ description: 'What the consumer would be told (the GW-00018 detail)' })
  problem: string;
}

export class PolicyPreviewDto {
  @ApiProperty({ example: 'skd-inntekt-samtykke' })
  resource: string;

  @ApiProperty({ description: 'Accepted, unexpired consents naming the resource that were checked' })
  checked: number;

  @ApiProperty({
    description:
      'How many of them break the previewed maxValidity or metadataValues: what the gateway would refuse (403 GW-00018) with applyToExistingConsents',
  })
  breaking: number;

  @ApiProperty({ description: 'More consents exist than a preview checks (the oldest are checked first)' })
  truncated: boolean;

  @ApiProperty({
    type: [PolicyPreviewExampleDto],
    description: 'Up to 20 of the breaking consents, oldest first',
  })
  examples: PolicyPreviewExampleDto[];
}
