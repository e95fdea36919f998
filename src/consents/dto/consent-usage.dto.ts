import { ApiProperty } from '@nestjs/swagger';

export class ConsentUsageHourDto {
  @ApiProperty({ example: 'inntekt-api', description: 'The protected API (gateway route name).' })
  api: string;

  @ApiProperty({ example: '923609016', description: 'Org number of the caller.' })
  consumer: string;

  @ApiProperty({ format: 'date-time', description: 'Start of the hour.' })
  hour: string;

  @ApiProperty({ description: 'Calls the gateway forwarded to the API under the consent.' })
  uses: number;

  @ApiProperty({ description: 'Calls the gateway refused under the consent (e.g. after withdrawal).' })
  refused: number;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Start of the last minute with a use in this hour (counted per minute).',
  })
  lastUsed: string | null;
}

export class ConsentUsageDto {
  @ApiProperty({ format: 'uuid' })
  consentRequestId: string;

  @ApiProperty({ description: 'Calls forwarded to an API under the consent, in all.' })
  uses: number;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  lastUsed: string | null;

  @ApiProperty({ type: [ConsentUsageHourDto], description: 'Newest hour first.' })
  hours: ConsentUsageHourDto[];
}
