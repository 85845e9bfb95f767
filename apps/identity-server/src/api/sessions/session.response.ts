import { ApiProperty } from '@nestjs/swagger';
import { UserResponse } from '../users/user.response.js';

class NameVersion {
  @ApiProperty({ example: 'Firefox' }) family: string;
  @ApiProperty({ example: '128.0' }) version: string;
}

class DeviceFamily {
  @ApiProperty({ example: 'Other' }) family: string;
}

class UserAgentResponse {
  @ApiProperty({ type: NameVersion }) browser: NameVersion;
  @ApiProperty({ type: NameVersion }) os: NameVersion;
  @ApiProperty({ type: DeviceFamily }) device: DeviceFamily;
}

/** One authenticated session: who, from where (location and network), and which browser. */
export class SessionResponse {
  @ApiProperty({ format: 'uuid' }) uuid: string;
  @ApiProperty({ description: 'Whether this is the session the request came with.' }) current: boolean;
  @ApiProperty({ type: UserResponse }) user: UserResponse;
  @ApiProperty() last_ip: string;
  @ApiProperty() last_user_agent: string;
  @ApiProperty({ type: UserAgentResponse }) user_agent: UserAgentResponse;
  @ApiProperty({ format: 'date-time' }) created: Date;
  @ApiProperty({ format: 'date-time' }) last_used: Date;
  @ApiProperty({ format: 'date-time' }) expires: Date;
  @ApiProperty({ description: 'Ends with the browser (a seconds=0 stage).' }) browser_session: boolean;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: 'continent, country, city, lat, long from the City database.',
  })
  geo_ip: Record<string, unknown> | null;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: 'asn, as_org, network from the ASN database.',
  })
  asn: Record<string, unknown> | null;
}

/** `DELETE bulk_delete/`. */
export class BulkDeleteResponse {
  @ApiProperty({ type: 'integer' }) deleted: number;
}
