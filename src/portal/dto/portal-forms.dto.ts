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
