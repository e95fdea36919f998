import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';

export class TemplateTextDto {
  @ApiProperty()
  nb: string;

  @ApiProperty()
  nn: string;

  @ApiProperty()
  en: string;
}

export class PartyTemplateTextDto {
  @ApiProperty({ type: TemplateTextDto, description: 'When the data subject is a person' })
  person: TemplateTextDto;

  @ApiProperty({ type: TemplateTextDto, description: 'When the data subject is an organisation' })
  org: TemplateTextDto;
}

export class ConsentTemplateTextsDto {
  @ApiProperty({ type: PartyTemplateTextDto })
  title: PartyTemplateTextDto;

  @ApiProperty({ type: PartyTemplateTextDto })
  heading: PartyTemplateTextDto;

  @ApiProperty({ type: PartyTemplateTextDto })
  serviceIntro: PartyTemplateTextDto;

  @ApiProperty({ type: TemplateTextDto, nullable: true })
  overriddenDelegationContext: TemplateTextDto | null;

  @ApiProperty({ type: TemplateTextDto })
  expiration: TemplateTextDto;

  @ApiProperty({ type: TemplateTextDto })
  expirationOneTime: TemplateTextDto;

  @ApiProperty({ type: PartyTemplateTextDto })
  serviceIntroAccepted: PartyTemplateTextDto;

  @ApiProperty({ type: TemplateTextDto })
  handledBy: TemplateTextDto;
}

export class ConsentTemplateDto {
  @ApiProperty({ example: 'default' })
  id: string;

  @ApiProperty({ example: 1 })
  version: number;

  @ApiProperty({ example: 'Samtykke til å dele opplysninger' })
  title: string;

  @ApiProperty({ description: 'A power of attorney ("fullmakt") rather than a consent' })
  isPoa: boolean;

  @ApiProperty({ description: "The consumer's requestMessage is shown to the user" })
  isMessageSetInRequest: boolean;

  @ApiProperty({
    type: ConsentTemplateTextsDto,
    description:
      'Placeholders: {CoveredBy} (consumer), {OfferedBy} (data subject), {HandledBy} (supplier), {Expiration}',
  })
  texts: ConsentTemplateTextsDto;
}

export class TemplateVersionParamsDto {
  @ApiProperty({ example: 'default' })
  @Matches(/^[a-z0-9_-]{1,50}$/, { message: 'id must be 1-50 lowercase letters, digits, _ or -' })
  id: string;

  @ApiProperty({ example: 1 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  version: number;
}
