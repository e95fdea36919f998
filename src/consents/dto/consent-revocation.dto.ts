import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { IsUuid } from '../../common/identifiers/identifier.decorators.js';

export const MAX_REASON_LENGTH = 1000;

export class ConsentIdParamDto {
  @ApiProperty({ format: 'uuid' })
  @IsUuid()
  id: string;
}

/** Body of an owner's or the operator's revocation (beyond Altinn). */
export class RevokeConsentDto {
  @ApiProperty({
    maxLength: MAX_REASON_LENGTH,
    example: 'Suspected fraud reported by the account holder',
    description: 'Shown to the person and to the consumer (event, API and webhook); kept in the audit log',
  })
  @IsString()
  @Matches(/\S/, { message: 'reason must not be empty' })
  @MaxLength(MAX_REASON_LENGTH)
  reason: string;
}
