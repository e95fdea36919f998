import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsNotEmpty,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { SCOPE_NAME_PATTERN } from '../../common/auth/scopes.js';

export const CLIENT_INTEGRATION_TYPES = ['maskinporten'] as const;
export const TOKEN_ENDPOINT_AUTH_METHODS = ['private_key_jwt'] as const;
export const MAX_CLIENT_SCOPES = 100;

/** `null` is refused where a field may be omitted but never cleared. */
const present = (_o: object, v: unknown) => v !== undefined;

/** Maskinporten DCR body (DESIGN §10). */
export class CreateClientDto {
  @ApiProperty({ example: 'Lånesøknad-integrasjon', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  client_name: string;

  @ApiPropertyOptional({ example: 'Henter inntekt med samtykke', maxLength: 1000, default: '' })
  @ValidateIf(present)
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiProperty({
    example: ['skd:inntekt'],
    isArray: true,
    type: String,
    maxItems: MAX_CLIENT_SCOPES,
    description:
      'Scopes the client may ask for. Each must exist and be active; it need not be granted to your org yet ' +
      '(as in Maskinporten, the grant is checked when a token is requested).',
  })
  @IsDefined()
  @IsArray()
  @ArrayMaxSize(MAX_CLIENT_SCOPES)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(SCOPE_NAME_PATTERN, { each: true, message: 'each scope must be <prefix>:<subscope>' })
  scopes: string[];

  @ApiPropertyOptional({ enum: CLIENT_INTEGRATION_TYPES, default: 'maskinporten' })
  @ValidateIf(present)
  @IsIn(CLIENT_INTEGRATION_TYPES)
  integration_type?: string;

  @ApiPropertyOptional({ enum: TOKEN_ENDPOINT_AUTH_METHODS, default: 'private_key_jwt' })
  @ValidateIf(present)
  @IsIn(TOKEN_ENDPOINT_AUTH_METHODS)
  token_endpoint_auth_method?: string;
}

/** Omitted fields keep their value. */
export class UpdateClientDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @ValidateIf(present)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  client_name?: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @ValidateIf(present)
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional({ isArray: true, type: String, maxItems: MAX_CLIENT_SCOPES })
  @ValidateIf(present)
  @IsArray()
  @ArrayMaxSize(MAX_CLIENT_SCOPES)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(SCOPE_NAME_PATTERN, { each: true, message: 'each scope must be <prefix>:<subscope>' })
  scopes?: string[];

  @ApiPropertyOptional({ enum: CLIENT_INTEGRATION_TYPES })
  @ValidateIf(present)
  @IsIn(CLIENT_INTEGRATION_TYPES)
  integration_type?: string;

  @ApiPropertyOptional({ enum: TOKEN_ENDPOINT_AUTH_METHODS })
  @ValidateIf(present)
  @IsIn(TOKEN_ENDPOINT_AUTH_METHODS)
  token_endpoint_auth_method?: string;

  @ApiPropertyOptional({ description: 'An inactive client gets no tokens.' })
  @ValidateIf(present)
  @IsBoolean()
  active?: boolean;
}

export class ClientIdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  clientId: string;
}

export class ClientResponseDto {
  @ApiProperty({ format: 'uuid' })
  client_id: string;
  @ApiProperty()
  client_name: string;
  @ApiProperty()
  description: string;
  @ApiProperty({ isArray: true, type: String })
  scopes: string[];
  @ApiProperty({ enum: CLIENT_INTEGRATION_TYPES })
  integration_type: string;
  @ApiProperty({ enum: TOKEN_ENDPOINT_AUTH_METHODS })
  token_endpoint_auth_method: string;
  @ApiProperty({ example: '991825827' })
  client_orgno: string;
  @ApiProperty({ format: 'date-time' })
  created: string;
  @ApiProperty({ format: 'date-time' })
  last_updated: string;
  @ApiProperty()
  active: boolean;
}
