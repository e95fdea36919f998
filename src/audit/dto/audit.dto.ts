import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class AuditQueryDto {
  // Filters carry no `example`: Swagger UI's "Try it out" would fill it in and filter the trail.
  @ApiPropertyOptional({ description: 'Object type, e.g. `owner`, `org-role`, `resource`, `access-list`' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{0,49}$/, { message: 'objectType must be a lowercase type name such as resource' })
  objectType?: string;

  @ApiPropertyOptional({ description: 'Object id, e.g. a resource identifier `skd-inntekt-samtykke`' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  objectId?: string;

  @ApiPropertyOptional({ description: 'Exact action, `<object>.<verb>`, e.g. `resource.update`' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only entries at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only entries before this time (exclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;

  @ApiPropertyOptional({ description: 'Opaque token from `links.next`' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  continuationToken?: string;
}

export class AuditActorDto {
  @ApiProperty({ type: String, nullable: true, example: '974761076' })
  org: string | null;

  @ApiProperty({ type: String, nullable: true })
  client: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Person number when a person acted (portal)' })
  person: string | null;
}

export class AuditEntryDto {
  @ApiProperty({ example: '42', description: 'Increasing id (a string: it is a 64-bit integer)' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  time: string;

  @ApiProperty({ type: AuditActorDto })
  actor: AuditActorDto;

  @ApiProperty({ example: 'resource.update' })
  action: string;

  @ApiProperty({ example: 'resource' })
  objectType: string;

  @ApiProperty({ example: 'skd-inntekt-samtykke' })
  objectId: string;

  @ApiProperty({ type: String, nullable: true, description: "Org number of the object's owner" })
  ownerOrg: string | null;

  @ApiProperty({ nullable: true, description: 'The object before the change (JSON)' })
  before: unknown;

  @ApiProperty({ nullable: true, description: 'The object after the change (JSON)' })
  after: unknown;
}

export class AuditPageLinksDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Relative URL of the next page; null on the last page',
  })
  next: string | null;
}

export class AuditPageDto {
  @ApiProperty({ type: AuditPageLinksDto })
  links: AuditPageLinksDto;

  @ApiProperty({ type: [AuditEntryDto] })
  data: AuditEntryDto[];
}
