import { BINDING_MODES, GEOIP_BINDINGS, NETWORK_BINDINGS } from '@idp/user-login';
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
    format: 'date-time',
    nullable: true,
    type: String,
    description: "When the session ends if unused (the stage's session_idle_timeout); null without one.",
  })
  idle_expires: Date | null;
  @ApiProperty({ enum: NETWORK_BINDINGS, description: 'The network binding the session is held to.' })
  network_binding: string;
  @ApiProperty({ enum: GEOIP_BINDINGS, description: 'The GeoIP binding the session is held to.' })
  geoip_binding: string;
  @ApiProperty({ enum: BINDING_MODES, description: 'enforce: a break ends the session; log: it is recorded.' })
  binding_mode: string;
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
