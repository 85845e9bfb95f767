import { BINDING_MODES, GEOIP_BINDINGS, NETWORK_BINDINGS } from '@idp/user-login';
import { ApiProperty } from '@nestjs/swagger';
import { UserResponse } from '../users/user.response.js';

class NameVersion {
  @ApiProperty({ example: 'Firefox' }) family: string;
  @ApiProperty({ example: '128.0' }) version: string;
}

/** authentik's `user_agent.user_agent`: the browser. */
class BrowserParts {
  @ApiProperty({ example: 'Firefox' }) family: string;
  @ApiProperty({ example: '128' }) major: string;
  @ApiProperty({ example: '0' }) minor: string;
  @ApiProperty({ example: '' }) patch: string;
}

const nullableText = { type: String, nullable: true } as const;

class OsParts {
  @ApiProperty({ example: 'Mac OS' }) family: string;
  @ApiProperty({ ...nullableText, example: '14' }) major: string | null;
  @ApiProperty({ ...nullableText, example: '5' }) minor: string | null;
  @ApiProperty(nullableText) patch: string | null;
  @ApiProperty(nullableText) patch_minor: string | null;
  @ApiProperty({ example: '14.5', description: 'The whole version (not in authentik).' }) version: string;
}

class DeviceParts {
  @ApiProperty({ example: 'Other' }) family: string;
  @ApiProperty(nullableText) brand: string | null;
  @ApiProperty(nullableText) model: string | null;
}

/** authentik's parsed user agent, plus `browser` (family and whole version), which authentik does not have. */
class UserAgentResponse {
  @ApiProperty({ type: BrowserParts }) user_agent: BrowserParts;
  @ApiProperty({ type: OsParts }) os: OsParts;
  @ApiProperty({ type: DeviceParts }) device: DeviceParts;
  @ApiProperty({ description: 'The header as sent.' }) string: string;
  @ApiProperty({ type: NameVersion, description: 'The browser with its whole version (not in authentik).' })
  browser: NameVersion;
}

class GeoIpResponse {
  @ApiProperty({ ...nullableText, example: 'EU' }) continent: string | null;
  @ApiProperty({ ...nullableText, example: 'DE' }) country: string | null;
  @ApiProperty({ type: Number, format: 'double', nullable: true, example: 52.52 }) lat: number | null;
  @ApiProperty({ type: Number, format: 'double', nullable: true, example: 13.405 }) long: number | null;
  @ApiProperty({ example: 'Berlin' }) city: string;
}

class AsnResponse {
  @ApiProperty({ type: 'integer', nullable: true, example: 6805 }) asn: number | null;
  @ApiProperty({ ...nullableText, example: 'Telefonica Germany' }) as_org: string | null;
  @ApiProperty({ ...nullableText, example: '5.4.0.0/14' }) network: string | null;
}

/** One authenticated session: who, from where (location and network), and which browser. */
export class SessionResponse {
  @ApiProperty({ format: 'uuid' }) uuid: string;
  @ApiProperty({ description: 'Whether this is the session the request came with.' }) current: boolean;
  @ApiProperty({ type: 'integer', description: "The user's pk (as authentik has it)." }) user: number;
  @ApiProperty({ type: UserResponse, description: 'The user (not in authentik).' }) user_obj: UserResponse;
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
  @ApiProperty({ description: 'The login came from a remembered device.' }) known_device: boolean;
  @ApiProperty({ description: 'DBSC bound the session to a key.' }) device_bound: boolean;
  @ApiProperty({
    type: () => GeoIpResponse,
    nullable: true,
    description: 'Where the last IP is, from the City database; null without one or without a record.',
  })
  geo_ip: GeoIpResponse | null;
  @ApiProperty({
    type: () => AsnResponse,
    nullable: true,
    description: "The last IP's network, from the ASN database; null without one or without a record.",
  })
  asn: AsnResponse | null;
}

/** `DELETE bulk_delete/`. */
export class BulkDeleteResponse {
  @ApiProperty({ type: 'integer' }) deleted: number;
}
