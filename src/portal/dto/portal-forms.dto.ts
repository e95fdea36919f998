/**
 * The portal's HTML forms, for the OpenAPI document only: handlers read the urlencoded fields
 * themselves, because a bad form must answer with an HTML page (403 for a bad `_csrf`, the form
 * again for a bad `pid`), not with the API's problem+json.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LANGS } from '../../common/i18n/languages.js';

export class LoginFormDto {
  @ApiProperty({
    description: 'National identity number (11 digits, checksum-validated).',
    example: '02013299997',
  })
  pid: string;

  @ApiProperty({ description: 'CSRF token from the login form (bound to the pre-session cookie).' })
  _csrf: string;

  @ApiPropertyOptional({ description: 'Same-site path to go to after login (e.g. `/consent/request?id=…`).' })
  returnTo?: string;

  @ApiPropertyOptional({ enum: [...LANGS] })
  lang?: string;
}

export class PortalActionFormDto {
  @ApiProperty({ description: 'CSRF token of the session (hidden field of the page the form is on).' })
  _csrf: string;

  @ApiPropertyOptional({
    enum: [...LANGS],
    description: 'Language (accept: the language of the receipt).',
  })
  lang?: string;
}

/** The accept form: on a request that allows partial acceptance, also the ticked rights. */
export class AcceptFormDto extends PortalActionFormDto {
  @ApiPropertyOptional({
    type: [String],
    example: ['0', '2'],
    description:
      'Accept on a request that allows partial acceptance (beyond Altinn): the index in `consentRights` of each right the person ticked, the field repeated per right. None ticked, a required right left out, or an index the request does not have answers 400 with the form again; nothing is stored.',
  })
  right?: string[];
}
