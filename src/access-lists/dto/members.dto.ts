import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsDefined } from 'class-validator';
import { PageLinksDto } from './page.dto.js';

/**
 * Body of `PUT|POST|DELETE /{owner}/{identifier}/members` (Altinn
 * `UpsertAccessListPartyMembersListDto`). Entries are checked by the service, not here, so one
 * 400 can name every bad entry by index with Altinn's codes.
 */
export class UpsertMembersDto {
  @ApiProperty({
    type: [String],
    maxItems: 100,
    example: ['urn:altinn:organization:identifier-no:991825827'],
    description:
      'Party URNs `urn:altinn:organization:identifier-no:<9 digits>` (checksum-validated), at most 100.',
  })
  @IsDefined()
  @IsArray()
  data!: unknown[];
}

export class MemberIdentifiersDto {
  @ApiProperty({ name: 'urn:altinn:organization:identifier-no', example: '991825827' })
  'urn:altinn:organization:identifier-no'!: string;
}

/** A member (Altinn `AccessListMembershipDto`). */
export class AccessListMemberDto {
  @ApiProperty({ example: 'urn:altinn:organization:identifier-no:991825827' })
  id!: string;

  @ApiProperty({ format: 'date-time', description: 'When the organisation was added to the list.' })
  since!: string;

  @ApiProperty({ type: MemberIdentifiersDto })
  identifiers!: MemberIdentifiersDto;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'DNB BANK ASA',
    description: 'The organisation’s name from the organisation register (nb); null when unknown.',
  })
  name?: string | null;
}

export class AccessListMembersPageDto {
  @ApiProperty({ type: PageLinksDto })
  links!: PageLinksDto;

  @ApiProperty({ type: [AccessListMemberDto] })
  data!: AccessListMemberDto[];
}
