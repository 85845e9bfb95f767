/**
 * Which database a path is configured for: the City or the ASN database, or the overlay of
 * either (an operator's own networks, consulted before the main file).
 */
export type GeoIpKind = 'city' | 'asn' | 'city_overlay' | 'asn_overlay';

/** Per kind: the environment variable that configures it and the `database_type` it needs. */
export const GEOIP_KINDS: Readonly<Record<GeoIpKind, { envVar: string; label: string; accepts: RegExp }>> = {
  // GeoIP2-Enterprise is a superset of City with the same record shape.
  city: { envVar: 'GEOIP_CITY_DB', label: 'City', accepts: /City|Enterprise/i },
  asn: { envVar: 'GEOIP_ASN_DB', label: 'ASN', accepts: /ASN/i },
  city_overlay: { envVar: 'GEOIP_CITY_DB_OVERLAY', label: 'City', accepts: /City|Enterprise/i },
  asn_overlay: { envVar: 'GEOIP_ASN_DB_OVERLAY', label: 'ASN', accepts: /ASN/i },
};

/** Why a GeoIP database file was refused. */
export type GeoIpConfigErrorCode =
  'GEOIP_FILE_MISSING' | 'GEOIP_FILE_UNREADABLE' | 'GEOIP_FILE_CORRUPT' | 'GEOIP_WRONG_TYPE';

/**
 * A configured GeoIP database that cannot be used; the message names the variable and the file and says how to fix it.
 * @example GEOIP_ASN_DB=/data/asn.mmdb cannot be used: the file does not exist. Fix: ...
 */
export class GeoIpConfigError extends Error {
  override name = 'GeoIpConfigError';

  constructor(
    readonly code: GeoIpConfigErrorCode,
    readonly kind: GeoIpKind,
    readonly path: string,
    problem: string,
    fix?: string,
  ) {
    const { envVar, label } = GEOIP_KINDS[kind];
    const defaultFix =
      `point ${envVar} at a MaxMind GeoLite2/GeoIP2 ${label} database (.mmdb), ` +
      `or unset ${envVar} to run without it`;
    super(`${envVar}=${path} cannot be used: ${problem}. Fix: ${fix ?? defaultFix}.`);
  }

  /** The environment variable that configured the file. */
  get envVar(): string {
    return GEOIP_KINDS[this.kind].envVar;
  }
}
